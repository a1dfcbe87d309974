// The settings as Therapist applies them: the last VALID configuration, plus the current problem when the
// user's settings are invalid (reported once per distinct problem, with a button to the setting). No
// `vscode` import: the host passes the reader, the validator and the notifier in, so this unit-tests in Node.
import * as os from 'node:os';
import { ConfigurationError } from '../core/errors';
import type { LedgerLimits } from '../core/ledger';
import type { ModelIntegrationOptions } from '../modelIntegration';
import { DEFAULTS, type TherapistConfig } from './configSchema';
import { messageOf } from '../core/runtime';

type ModelSettings = Required<Pick<ModelIntegrationOptions, 'ollamaUrl' | 'model' | 'maxTokens' | 'systemTokenBudget' | 'userTokenBudget' | 'contextTokenBudget' | 'enableStreaming' | 'streamingTimeout'>>;

export interface SettingsOptions {
  /** Throws a TherapistError naming the bad setting (ModelIntegration's own validation). */
  validate: (settings: ModelSettings) => void;
  /** Tells the user about a problem; `setting` is the key to open. */
  notify: (message: string, setting: string | undefined) => void;
  log: { info(message: string): void; warn(message: string): void };
}

const QUOTA_KEYS = ['quota.dailyTokens', 'quota.monthlyTokens', 'quota.conversationTokens', 'rateLimit.tokensPerMinute'] as const;

export class Settings {
  /** The configuration in force: the user's, or the last valid one while theirs is invalid. */
  applied: TherapistConfig;
  /** The current problem with the user's settings, or undefined when they are valid. */
  problem: string | undefined;

  constructor(initial: TherapistConfig, private readonly options: SettingsOptions) {
    this.applied = { ...DEFAULTS };
    if (this.apply(initial)) return;
    // Keep what is valid of the user's settings (URL, model, quotas): fall back to the default budgets only.
    const problem = this.problem;
    this.problem = undefined;
    const budgets = { maxTokens: DEFAULTS.maxTokens, systemTokenBudget: DEFAULTS.systemTokenBudget, userTokenBudget: DEFAULTS.userTokenBudget, contextTokenBudget: DEFAULTS.contextTokenBudget };
    if (!this.apply({ ...initial, ...budgets })) this.applied = { ...DEFAULTS };
    this.problem = problem;
    this.options.log.warn('starting with default budgets until the invalid settings are fixed');
  }

  /** Validates `next`; applies it when valid (true), else keeps the last valid one and reports (false). */
  apply(next: TherapistConfig): boolean {
    try {
      this.options.validate(modelSettingsOf(next));
      validateLimits(next);
    } catch (error) {
      const message = messageOf(error);
      if (message !== this.problem) {
        this.problem = message;
        this.options.log.warn(`settings not applied: ${message} Keeping the last valid configuration.`);
        this.options.notify(`Therapist: ${message} Therapist keeps using the last valid configuration.`, error instanceof ConfigurationError ? error.setting : undefined);
      }
      return false;
    }
    if (this.problem) this.options.log.info('settings are valid again');
    this.problem = undefined;
    this.applied = { ...next };
    return true;
  }

  modelOptions(): ModelSettings {
    return modelSettingsOf(this.applied);
  }

  ledgerLimits(): LedgerLimits {
    return {
      dailyTokens: this.applied['quota.dailyTokens'],
      monthlyTokens: this.applied['quota.monthlyTokens'],
      conversationTokens: this.applied['quota.conversationTokens'],
      tokensPerMinute: this.applied['rateLimit.tokensPerMinute'],
    };
  }

  /** therapist.userId, or the OS user name when it is empty. */
  userId(): string {
    const configured = this.applied.userId.trim();
    if (configured) return configured;
    try {
      return os.userInfo().username;
    } catch {
      return 'local';
    }
  }
}

function modelSettingsOf(c: TherapistConfig): ModelSettings {
  const { ollamaUrl, model, maxTokens, systemTokenBudget, userTokenBudget, contextTokenBudget, enableStreaming, streamingTimeout } = c;
  return { ollamaUrl, model, maxTokens, systemTokenBudget, userTokenBudget, contextTokenBudget, enableStreaming, streamingTimeout };
}

function validateLimits(c: TherapistConfig): void {
  for (const key of QUOTA_KEYS) {
    const v = c[key];
    if (!Number.isSafeInteger(v) || v < 0) throw new ConfigurationError(`therapist.${key}`, v, 'a whole number of tokens, 0 for unlimited');
  }
  if (typeof c.userId !== 'string') throw new ConfigurationError('therapist.userId', c.userId, 'a name, or empty for the OS user name');
}

