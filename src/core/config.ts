// The one owner of Therapist's settings: every key, its type, default, range and description, and which part of
// the extension it feeds. The manifest (package.json contributes.configuration) must equal manifestProperties()
// (a unit test checks it), the host reads settings by iterating SETTINGS, and validateConfig is the only validation.
import { ConfigurationError } from './errors';
import { validateBudgets } from './tokens/budgets';

/** What a setting feeds, so a change is applied where it matters (declared once, here). */
export type SettingScope =
  /** The token budgets of the next fit (no rebuild: budgets are passed into every fit). */
  | 'budgets'
  /** Which server and model: the model's facts are read again on next use. */
  | 'model'
  /** How answers are fetched (streaming, timeouts): the next request. */
  | 'transport'
  /** The token ledger's quotas and rate limit. */
  | 'ledger'
  /** Who usage is recorded for. */
  | 'identity'
  /** Summaries of long conversations: the summarizer's next decision. */
  | 'conversation'
  /** The workspace index and retrieved context. */
  | 'retrieval';

interface SpecBase {
  description: string;
  scope: SettingScope;
}
export type SettingSpec =
  | (SpecBase & { type: 'integer'; default: number; minimum: number; maximum?: number; unit: string })
  | (SpecBase & { type: 'number'; default: number; minimum: number; maximum: number })
  | (SpecBase & { type: 'boolean'; default: boolean })
  | (SpecBase & {
      type: 'string';
      default: string;
      format?: 'uri';
      allowEmpty?: boolean;
      valid: string;
      enum?: readonly string[];
      enumDescriptions?: readonly string[];
    });

/** Every setting, named without the `therapist.` prefix. */
export const SETTINGS = {
  maxTokens: {
    type: 'integer',
    default: 8192,
    minimum: 256,
    maximum: 1048576,
    unit: 'tokens',
    scope: 'budgets',
    description:
      "The context window Therapist plans every prompt for, in tokens. The effective window is the smaller of this and the model's trained context; it is sent to Ollama as `num_ctx` on every request so Ollama never truncates silently.",
  },
  systemTokenBudget: {
    type: 'number',
    default: 0.2,
    minimum: 0,
    maximum: 1,
    scope: 'budgets',
    description:
      'Share of the window for the system prompt (0 to 1). The three budgets must add up to at most 1. Unused room is handed on to the other sections.',
  },
  userTokenBudget: {
    type: 'number',
    default: 0.3,
    minimum: 0,
    maximum: 1,
    scope: 'budgets',
    description: 'Share of the window for your message and the conversation history (0 to 1).',
  },
  contextTokenBudget: {
    type: 'number',
    default: 0.5,
    minimum: 0,
    maximum: 1,
    scope: 'budgets',
    description:
      'Share of the window for code context and the answer (0 to 1). Of the whole window, 0.1 is always reserved for the answer (completion buffer) and the rest of this share holds context chunks.',
  },
  enableStreaming: {
    type: 'boolean',
    default: true,
    scope: 'transport',
    description:
      'Stream answers token by token. When off, or when streaming fails in a way a single request can survive, Therapist sends one non-streaming request.',
  },
  streamingTimeout: {
    type: 'integer',
    default: 30000,
    minimum: 1000,
    maximum: 600000,
    unit: 'milliseconds',
    scope: 'transport',
    description:
      'Milliseconds to wait for the next streamed token. The wait for the first token grows with the prompt size, since a local model must read the whole prompt first.',
  },
  ollamaUrl: {
    type: 'string',
    default: 'http://127.0.0.1:11434',
    format: 'uri',
    scope: 'model',
    valid: 'an http:// or https:// URL such as http://127.0.0.1:11434',
    description: 'Base URL of the Ollama server.',
  },
  model: {
    type: 'string',
    default: 'deepseek-coder:6.7b',
    scope: 'model',
    valid: 'a model name as `ollama list` shows it',
    description: 'The Ollama model to use (as in `ollama list`).',
  },
  think: {
    type: 'string',
    default: 'auto',
    enum: ['auto', 'on', 'off', 'low', 'medium', 'high'],
    enumDescriptions: [
      "The model's own default: thinking models think (Ollama 0.12.4+ turns thinking on when the request does not say).",
      'Think before answering (thinking models only; others are never asked).',
      'Answer without thinking: faster, and the whole answer reserve goes to the answer.',
      'Think a little (models that take levels, such as gpt-oss).',
      'Think at the medium level (models that take levels).',
      'Think at length (models that take levels).',
    ],
    scope: 'transport',
    valid: 'one of auto, on, off, low, medium, high',
    description:
      'Whether a thinking model (qwen3, deepseek-r1, gpt-oss, ...) reasons before it answers. The reasoning is shown in a collapsed **Thinking** section of the answer and counts against the answer reserve (`num_predict`) and in the token ledger. Models that cannot think are never asked.',
  },
  userId: {
    type: 'string',
    default: '',
    allowEmpty: true,
    scope: 'identity',
    valid: 'a name, or empty for the OS user name',
    description: 'Who token usage is recorded for. Empty means your OS user name. Set it when several people share one machine or one usage ledger.',
  },
  'quota.dailyTokens': {
    type: 'integer',
    default: 0,
    minimum: 0,
    unit: 'tokens, 0 for unlimited',
    scope: 'ledger',
    description:
      'Tokens (prompt + answer) you may use per day, in your local time zone. `0` = unlimited. At 80% Therapist sends smaller prompts and says so; at the limit it refuses before sending anything.',
  },
  'quota.monthlyTokens': {
    type: 'integer',
    default: 0,
    minimum: 0,
    unit: 'tokens, 0 for unlimited',
    scope: 'ledger',
    description: 'Tokens you may use per calendar month. `0` = unlimited.',
  },
  'quota.conversationTokens': {
    type: 'integer',
    default: 0,
    minimum: 0,
    unit: 'tokens, 0 for unlimited',
    scope: 'ledger',
    description: 'Tokens one conversation may use. `0` = unlimited. When reached, start a new conversation.',
  },
  'rateLimit.tokensPerMinute': {
    type: 'integer',
    default: 0,
    minimum: 0,
    unit: 'tokens, 0 for unlimited',
    scope: 'ledger',
    description:
      'Token rate limit over a sliding minute. `0` = unlimited. A request that would exceed it waits (with a cancel) up to 60 seconds, else is refused with the time to retry.',
  },
  'summarize.threshold': {
    type: 'number',
    default: 0.75,
    minimum: 0.5,
    maximum: 0.95,
    scope: 'conversation',
    description:
      'When the conversation history fills this share of the room the window gives it, Therapist summarizes the oldest turns in the background, between turns (never while you wait). The summary keeps your first request verbatim and names the files, functions, decisions and open questions; the original turns are kept and **Undo** brings them back.',
  },
  'summarize.model': {
    type: 'string',
    default: '',
    allowEmpty: true,
    scope: 'conversation',
    valid: 'an installed Ollama model, or empty for the chat model',
    description: 'The Ollama model that writes conversation summaries (a small fast one is fine). Empty: the chat model (`therapist.model`).',
  },
  'retrieval.enabled': {
    type: 'boolean',
    default: true,
    scope: 'retrieval',
    description:
      'Index the workspace (in the background, saved between sessions) and add the code most relevant to each question as context, even from files that are not open. Every answer lists the chunks that went in and those that were cut. Off: only the code a command brings (Explain Selection) is sent.',
  },
  embeddingModel: {
    type: 'string',
    default: 'nomic-embed-text',
    allowEmpty: true,
    scope: 'retrieval',
    valid: 'an Ollama embedding model, or empty for lexical search only',
    description:
      'The Ollama embedding model for semantic search of the workspace index (`ollama pull nomic-embed-text`). Empty: lexical (BM25) search only. A model that is not installed is not an error: search is lexical and the panel says how to install it.',
  },
  'retrieval.maxFiles': {
    type: 'integer',
    default: 50000,
    minimum: 1,
    maximum: 1000000,
    unit: 'files',
    scope: 'retrieval',
    description:
      'Files the workspace index holds at most; the rest (in path order) is skipped and you are told. Exclude folders with `files.exclude`, `search.exclude` or `.gitignore` instead where you can.',
  },
  'retrieval.maxFileSizeKb': {
    type: 'integer',
    default: 1024,
    minimum: 1,
    maximum: 1048576,
    unit: 'KB (1 KB = 1024 bytes)',
    scope: 'retrieval',
    description: 'Files larger than this (in KB of 1024 bytes) are not indexed; you are told which. Changing it rebuilds the index.',
  },
  'retrieval.maxIndexMb': {
    type: 'integer',
    default: 256,
    minimum: 1,
    maximum: 16384,
    unit: 'MB of source (1 MB = 1048576 bytes)',
    scope: 'retrieval',
    description:
      'Source text the workspace index holds at most, in MB; further files are skipped and you are told. The index worker needs about 6 bytes of memory per byte of source.',
  },
  'retrieval.maxChunks': {
    type: 'integer',
    default: 200000,
    minimum: 1,
    maximum: 10000000,
    unit: 'chunks',
    scope: 'retrieval',
    description: 'Chunks (functions, classes, windows of lines) the index holds at most; each vector takes about 870 bytes at 768 dimensions.',
  },
  'retrieval.maxDiskMb': {
    type: 'integer',
    default: 1024,
    minimum: 1,
    maximum: 65536,
    unit: 'MB (1 MB = 1048576 bytes)',
    scope: 'retrieval',
    description: 'Disk space the saved index may take, in MB; over it the index is not saved (it is rebuilt at the next start) and you are told.',
  },
} as const satisfies Record<string, SettingSpec>;

/** The settings section in VS Code (`therapist.<key>`). */
export const SECTION = 'therapist';

export type SettingKey = keyof typeof SETTINGS;
type ValueOf<S> = S extends { type: 'boolean' } ? boolean : S extends { enum: readonly (infer E)[] } ? E : S extends { type: 'string' } ? string : number;
/** Every Therapist setting, typed. */
export type TherapistConfig = { -readonly [K in SettingKey]: ValueOf<(typeof SETTINGS)[K]> };

/** The keys in declaration order. */
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

/** The defaults, as the manifest declares them. */
export const DEFAULTS: TherapistConfig = Object.fromEntries(SETTING_KEYS.map((k) => [k, SETTINGS[k].default])) as TherapistConfig;

/** The keys whose scope is one of `S`, as a type. */
export type KeysOfScope<S extends SettingScope> = { [K in SettingKey]: (typeof SETTINGS)[K]['scope'] extends S ? K : never }[SettingKey];

/** The keys of some scopes (for example the budgets), so a consumer takes exactly its part of the configuration. */
export function keysOf<S extends SettingScope>(...scopes: S[]): KeysOfScope<S>[] {
  return SETTING_KEYS.filter((k) => (scopes as SettingScope[]).includes(SETTINGS[k].scope)) as KeysOfScope<S>[];
}

/** The part of a configuration a consumer needs, e.g. pick(config, ['ollamaUrl', 'model']). */
export function pick<K extends SettingKey>(config: TherapistConfig, keys: readonly K[]): Pick<TherapistConfig, K> {
  return Object.fromEntries(keys.map((k) => [k, config[k]])) as Pick<TherapistConfig, K>;
}

/** Fills the keys a partial configuration leaves out (or sets to undefined) with the defaults. */
export function withDefaults(partial: Partial<TherapistConfig>): TherapistConfig {
  const out = { ...DEFAULTS };
  for (const key of SETTING_KEYS) if (partial[key] !== undefined) (out as Record<string, unknown>)[key] = partial[key];
  return out;
}

function checkOne(key: SettingKey, value: unknown): void {
  const spec: SettingSpec = SETTINGS[key];
  const setting = `${SECTION}.${key}`;
  switch (spec.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw new ConfigurationError(setting, value, 'true or false');
      return;
    case 'integer':
    case 'number': {
      const range =
        spec.type === 'integer'
          ? `an integer ${spec.maximum !== undefined ? `from ${spec.minimum} to ${spec.maximum}` : `of at least ${spec.minimum}`} (${spec.unit})`
          : `a number from ${spec.minimum} to ${spec.maximum}`;
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (spec.type === 'number' || Number.isSafeInteger(value)) &&
        value >= spec.minimum &&
        (spec.maximum === undefined || value <= spec.maximum);
      if (!ok) throw new ConfigurationError(setting, value, range);
      return;
    }
    case 'string': {
      if (typeof value !== 'string' || (!spec.allowEmpty && value.trim() === '')) throw new ConfigurationError(setting, value, spec.valid);
      if (spec.enum && !spec.enum.includes(value)) throw new ConfigurationError(setting, value, spec.valid);
      if (spec.format === 'uri' && !isHttpUrl(value)) throw new ConfigurationError(setting, value, spec.valid);
      return;
    }
  }
}

/** True for an http(s) URL, with or without a scheme written (Ollama's own client adds http://). */
function isHttpUrl(raw: string): boolean {
  const trimmed = raw.trim();
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Configurations that validateConfig accepted: consumers skip checking them again (one validation per path). */
const validated = new WeakSet<object>();

/**
 * Checks the settings present in `config` and throws a ConfigurationError naming the first bad one and its valid
 * range (never clamps); the three budget shares are also checked together when all are present (sum at most 1).
 * Returns a frozen copy that `isValidated` recognises, so a consumer handed it does not validate it again.
 */
export function validateConfig<T extends Partial<TherapistConfig>>(config: T): Readonly<T> {
  if (validated.has(config)) return config;
  for (const key of SETTING_KEYS) if (key in config) checkOne(key, config[key]);
  if (
    config.maxTokens !== undefined &&
    config.systemTokenBudget !== undefined &&
    config.userTokenBudget !== undefined &&
    config.contextTokenBudget !== undefined
  ) {
    validateBudgets(config as Pick<TherapistConfig, 'maxTokens' | 'systemTokenBudget' | 'userTokenBudget' | 'contextTokenBudget'>);
  }
  const copy = Object.freeze({ ...config });
  validated.add(copy);
  return copy;
}

/** True for a configuration returned by validateConfig (or a consumer-made subset it marked). */
export function isValidated(config: object): boolean {
  return validated.has(config);
}

/** What package.json `contributes.configuration.properties` must hold, derived from SETTINGS. */
export function manifestProperties(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const key of SETTING_KEYS) {
    const spec: SettingSpec = SETTINGS[key];
    const entry: Record<string, unknown> = { type: spec.type, default: spec.default };
    if (spec.type === 'integer' || spec.type === 'number') {
      entry.minimum = spec.minimum;
      if (spec.maximum !== undefined) entry.maximum = spec.maximum;
    }
    if (spec.type === 'string' && spec.format) entry.format = spec.format;
    if (spec.type === 'string' && spec.enum) {
      entry.enum = [...spec.enum];
      if (spec.enumDescriptions) entry.enumDescriptions = [...spec.enumDescriptions];
    }
    entry.markdownDescription = spec.description;
    out[`${SECTION}.${key}`] = entry;
  }
  return out;
}
