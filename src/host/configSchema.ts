// The typed settings and their defaults, with no `vscode` import so pure host logic (settings.ts) tests in Node.
import { SETTING_DEFAULTS } from '../modelIntegration';

/** Every Therapist setting, typed, with the defaults package.json declares. */
export interface TherapistConfig {
  maxTokens: number;
  systemTokenBudget: number;
  userTokenBudget: number;
  contextTokenBudget: number;
  enableStreaming: boolean;
  streamingTimeout: number;
  ollamaUrl: string;
  model: string;
  /** Empty = the OS user name. */
  userId: string;
  'quota.dailyTokens': number;
  'quota.monthlyTokens': number;
  'quota.conversationTokens': number;
  'rateLimit.tokensPerMinute': number;
}

/** The manifest's defaults (an extension-host test checks package.json against these). */
export const DEFAULTS: TherapistConfig = {
  ...SETTING_DEFAULTS,
  userId: '',
  'quota.dailyTokens': 0,
  'quota.monthlyTokens': 0,
  'quota.conversationTokens': 0,
  'rateLimit.tokensPerMinute': 0,
};
