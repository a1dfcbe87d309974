// The settings as Therapist applies them: the last VALID configuration, plus the current problem when the
// user's settings are invalid (reported once per distinct problem, with a button to the setting). No
// `vscode` import: the host passes the notifier in, so this unit-tests in Node. Validation is the core's one
// validateConfig, run once per change; the applied configuration it returns is not checked again downstream.
import * as os from 'node:os';
import { DEFAULTS, keysOf, pick, validateConfig, type TherapistConfig } from '../core/config';
import { ConfigurationError } from '../core/errors';
import { limitsFromConfig, type LedgerLimits } from '../core/ledger';
import { messageOf, type Logger } from '../core/runtime';

export interface SettingsOptions {
  /** Tells the user about a problem; `setting` is the key to open. */
  notify: (message: string, setting: string | undefined) => void;
  log: Pick<Logger, 'info' | 'warn'>;
}

export class Settings {
  /** The configuration in force (validated): the user's, or the last valid one while theirs is invalid. */
  applied: Readonly<TherapistConfig>;
  /** The current problem with the user's settings, or undefined when they are valid. */
  problem: string | undefined;

  constructor(
    initial: TherapistConfig,
    private readonly options: SettingsOptions,
  ) {
    this.applied = validateConfig({ ...DEFAULTS });
    if (this.apply(initial)) return;
    // Keep what is valid of the user's settings (URL, model, quotas): fall back to the default budgets only.
    const problem = this.problem;
    this.problem = undefined;
    if (!this.apply({ ...initial, ...pick(DEFAULTS, keysOf('budgets')) })) this.applied = validateConfig({ ...DEFAULTS });
    this.problem = problem;
    this.options.log.warn('starting with default budgets until the invalid settings are fixed');
  }

  /** Validates `next`; applies it when valid (true), else keeps the last valid one and reports (false). */
  apply(next: TherapistConfig): boolean {
    let valid: Readonly<TherapistConfig>;
    try {
      valid = validateConfig({ ...next });
    } catch (error) {
      const message = messageOf(error);
      if (message !== this.problem) {
        this.problem = message;
        this.options.log.warn(`settings not applied: ${message} Keeping the last valid configuration.`);
        this.options.notify(
          `Therapist: ${message} Therapist keeps using the last valid configuration.`,
          error instanceof ConfigurationError ? error.setting : undefined,
        );
      }
      return false;
    }
    if (this.problem) this.options.log.info('settings are valid again');
    this.problem = undefined;
    this.applied = valid;
    return true;
  }

  ledgerLimits(): LedgerLimits {
    return limitsFromConfig(this.applied);
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
