import { TherapistError } from './core/errors';
import { budgetShares, validateBudgets, validateCalibration, type BudgetSettings, type BudgetShares } from './core/tokens/budgets';
import { CountCache } from './core/tokens/countCache';
import { EstimateTokenizer } from './core/tokens/estimateTokenizer';
import { classCounts, type ClassCounts } from './core/tokens/contentClasses';
import { Meter, type Calibration } from './core/tokens/meter';
import { optimizePromptWith } from './core/tokens/optimizer';
import { TiktokenTokenizer, loadTiktokenEncoding, type Gpt2Encoding, type TiktokenEncodingName } from './core/tokens/tiktokenTokenizer';
import { messageOf, silentLogger, type Logger } from './core/runtime';
import type { GluedCount, Tokenizer } from './core/tokens/tokenizer';
import type { ContextChunk, HistoryMessage, OptimizeOptions, OptimizedPrompt, TokenUsageInfo } from './core/tokens/types';

export interface TokenCounterOptions {
  /** Use this tokenizer instead of GPT-2 (tests pass predictable fakes). Not disposed by the counter. */
  tokenizer?: Tokenizer;
  /** Use the conservative estimate even if tiktoken could load (also: env THERAPIST_TOKENIZER=estimate). */
  forceEstimate?: boolean;
  /** Where to say which tokenizer is used and why the fallback was taken. */
  logger?: Logger;
  /** Bound of the count cache, in characters of cached text (default 8,000,000, about 16 MB). */
  cacheSize?: number;
  /** Environment to read THERAPIST_TOKENIZER from (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Loads the GPT-2 encoding (default: tiktoken, lazily). Tests use it to simulate a load failure. */
  loadEncoding?: () => Gpt2Encoding;
  /** Which tiktoken vocabulary to count in (default GPT-2; the model fallback counts in cl100k, see docs/TOKEN_CONSTRAINTS.md). */
  encoding?: TiktokenEncodingName;
}

export const DEFAULT_CACHE_CHARS = 8_000_000;

/**
 * Counts GPT-2 tokens (exactly, or with a labelled estimate when tiktoken cannot load) and fits prompts into a
 * window by priority. The constructor's budgets are the defaults of every fit; a fit may pass its own window and
 * shares (`maxTokens`, `budgets`), so one counter, its cache and its tokenizer serve every budget. The tokenizer
 * is loaded on first use, never in the constructor, and freed by dispose().
 */
export class TokenCounter {
  readonly settings: BudgetSettings;
  private active: Tokenizer | undefined;
  private reason: string | undefined;
  private disposed = false;
  private readonly cache: CountCache;
  /** Per-class counts, only filled when a fit uses the per-class calibration of the GPT-2 fallback. */
  private readonly classCache: CountCache<ClassCounts>;
  /** Glued counts of `other` runs: a run recurs in every message and slice that holds it, as its count does. */
  private readonly gluedCache: CountCache<GluedCount>;
  private readonly logger: Logger;
  private readonly forced: string | undefined;

  constructor(
    readonly maxTokens = 8192,
    readonly systemBudget = 0.2,
    readonly userBudget = 0.3,
    readonly contextBudget = 0.5,
    private readonly options: TokenCounterOptions = {},
  ) {
    this.settings = { maxTokens, systemTokenBudget: systemBudget, userTokenBudget: userBudget, contextTokenBudget: contextBudget };
    validateBudgets(this.settings);
    const cacheSize = options.cacheSize ?? DEFAULT_CACHE_CHARS;
    if (!Number.isSafeInteger(cacheSize) || cacheSize < 0) throw new TypeError(`cacheSize must be a non-negative integer, got ${cacheSize}`);
    this.cache = new CountCache(cacheSize);
    this.classCache = new CountCache<ClassCounts>(Math.floor(cacheSize / 4));
    this.gluedCache = new CountCache<GluedCount>(Math.floor(cacheSize / 4));
    this.logger = options.logger ?? silentLogger;
    const env = (options.env ?? process.env).THERAPIST_TOKENIZER;
    if (options.forceEstimate) this.forced = 'forced by the forceEstimate option';
    else if (env === 'estimate') this.forced = 'forced by THERAPIST_TOKENIZER=estimate';
    else if (env !== undefined && env !== '' && env !== 'gpt2' && env !== 'tiktoken') {
      this.logger.warn(`Ignoring THERAPIST_TOKENIZER=${env}: expected 'estimate', 'gpt2' or 'tiktoken'.`);
    }
  }

  /** The tokenizer in use, loading tiktoken on first call (about 100 ms once). */
  get tokenizer(): Tokenizer {
    if (this.disposed) throw new Error('TokenCounter was disposed');
    if (!this.active) this.active = this.load();
    return this.active;
  }

  private load(): Tokenizer {
    if (this.options.tokenizer) return this.options.tokenizer;
    if (this.forced) {
      this.reason = this.forced;
      this.logger.info(`Token counts are estimates (${this.forced}).`);
      return new EstimateTokenizer();
    }
    const started = Date.now();
    try {
      const name = this.options.encoding ?? 'gpt2';
      const tokenizer = new TiktokenTokenizer((this.options.loadEncoding ?? (() => loadTiktokenEncoding(name)))(), undefined, name);
      this.logger.info(`Loaded the ${name === 'gpt2' ? 'GPT-2' : name} tokenizer (tiktoken) in ${Date.now() - started} ms.`);
      return tokenizer;
    } catch (err) {
      this.reason = `tiktoken could not load: ${messageOf(err)}`;
      this.logger.warn(
        `${this.reason}. Falling back to a conservative estimate (about 1 token per 3 characters of words, more for symbols and non-ASCII); counts are labelled as estimates.`,
      );
      return new EstimateTokenizer();
    }
  }

  /** True when counts are estimates (the fallback or a forced estimate); loads the tokenizer. */
  get isEstimate(): boolean {
    return this.tokenizer.estimated;
  }

  /** Why counts are estimates (tiktoken's load error, or what forced it); undefined when exact. */
  get fallbackReason(): string | undefined {
    void this.tokenizer;
    return this.reason;
  }

  /** GPT-2 tokens in `text`; repeated texts are answered from the cache. */
  countTokens(text: string): number {
    if (text.length === 0) return 0;
    const hit = this.cache.get(text);
    if (hit !== undefined) return hit;
    const count = this.countUncached(text);
    this.cache.set(text, count);
    return count;
  }

  /** GPT-2 tokens in `text`, not cached here (its callers cache). */
  private countUncached(text: string): number {
    const tokenizer = this.tokenizer;
    try {
      return tokenizer.count(text);
    } catch (err) {
      if (!this.degrade(tokenizer, err)) throw err;
      return this.countUncached(text);
    }
  }

  /** Tokens and glued tokens of `text` (see contentClasses.ts), cached; 0 glued once the counter has degraded. */
  private countGlued(text: string): GluedCount {
    const hit = this.gluedCache.get(text);
    if (hit) return hit;
    const tokenizer = this.tokenizer;
    let counted: GluedCount;
    try {
      counted = tokenizer.countGlued ? tokenizer.countGlued(text) : { tokens: this.countUncached(text), glued: 0 };
    } catch (err) {
      if (!this.degrade(tokenizer, err)) throw err;
      return this.countGlued(text);
    }
    this.gluedCache.set(text, counted);
    // The same encode gave the plain count: a later countTokens of this text need not encode it again.
    this.cache.set(text, counted.tokens);
    return counted;
  }

  /**
   * Switches to the estimate when tiktoken fails after loading (a WASM trap leaves the instance unusable).
   * Returns false for tokenizers the counter does not own (an injected one, or the estimate itself).
   */
  private degrade(failed: Tokenizer, err: unknown): boolean {
    if (!(failed instanceof TiktokenTokenizer) || failed !== this.active) return false;
    this.reason = `tiktoken failed while counting: ${messageOf(err)}`;
    this.logger.warn(`${this.reason}. Switching to the conservative estimate; counts are labelled as estimates.`);
    // The cache holds exact counts; mixing them with estimates would make one plan's numbers inconsistent.
    this.cache.clear();
    this.classCache.clear();
    this.gluedCache.clear();
    this.active = new EstimateTokenizer();
    try {
      failed.dispose();
    } catch {
      // A trapped WASM instance may fail to free; it is dropped either way.
    }
    return true;
  }

  /**
   * This counter's tokens of `text` per content class (whitespace runs, numbers, CJK, emoji, the rest, and the
   * punctuation correction; see contentClasses.ts), for the per-class calibration of the GPT-2 fallback; cached
   * like the counts.
   */
  countClasses(text: string): ClassCounts {
    const hit = this.classCache.get(text);
    if (hit) return hit;
    const counts = classCounts(text, (t) => this.countTokens(t), this.tokenizer.countGlued ? (t) => this.countGlued(t) : undefined);
    this.classCache.set(text, counts);
    return counts;
  }

  /** Tokens of a conversation: each message's content, calibrated, plus `perMessageOverhead` per message. */
  countMessages(history: readonly HistoryMessage[], perMessageOverhead = 0, calibration: Calibration = 1): number {
    const meter = this.meter(calibration);
    let total = 0;
    for (const m of history) total += meter.measure(m.content) + perMessageOverhead;
    return total;
  }

  /** Model tokens for `text` under a calibration (what the optimizer reports for it). */
  countCalibrated(text: string, calibration: Calibration = 1): number {
    return this.meter(calibration).measure(text);
  }

  /** A meter over this counter's cached counts, in model tokens under `calibration` (what a fit with it counts). */
  meterFor(calibration: Calibration = 1): Meter {
    return this.meter(calibration);
  }

  /** A meter over this counter's cached counts. */
  private meter(calibration: Calibration): Meter {
    validateCalibration(calibration);
    return new Meter(
      this.tokenizer,
      (text) => this.countTokens(text),
      calibration,
      (text) => this.countClasses(text),
    );
  }

  /** The token shares of this counter's window (or of `maxTokens` when given). */
  budgets(maxTokens = this.maxTokens, completionReserve?: number): BudgetShares {
    const settings = { ...this.settings, maxTokens };
    validateBudgets(settings);
    return budgetShares(settings, completionReserve);
  }

  /**
   * Fits system prompt, user input, context chunks and history into the window, truncating by priority
   * (context, then history, then user input, then system prompt). See docs/TOKEN_CONSTRAINTS.md.
   */
  optimizePrompt(systemPrompt: string, userInput: string, contextChunks: readonly ContextChunk[] = [], options: OptimizeOptions = {}): OptimizedPrompt {
    const settings =
      options.maxTokens === undefined && options.budgets === undefined
        ? this.settings
        : { ...this.settings, ...options.budgets, maxTokens: options.maxTokens ?? this.maxTokens };
    if (settings !== this.settings) validateBudgets(settings);
    const tokenizer = this.tokenizer;
    const meter = this.meter(options.calibration ?? 1);
    try {
      const plan = optimizePromptWith(meter, tokenizer.estimated, settings, systemPrompt, userInput, contextChunks, options);
      // If tiktoken failed during the plan, its numbers mix two tokenizers: plan again with the estimate.
      if (this.active === tokenizer) return plan;
    } catch (err) {
      // Budget and size errors are answers, not tokenizer failures; after a switch, any error is re-planned.
      const switched = this.active !== tokenizer;
      if (!switched && (err instanceof TherapistError || !this.degrade(tokenizer, err))) throw err;
    }
    return this.optimizePrompt(systemPrompt, userInput, contextChunks, options);
  }

  /** The same plan as optimizePrompt, summarized for the meter and the usage command; sends nothing. */
  getTokenUsageInfo(systemPrompt: string, userInput: string, contextChunks: readonly ContextChunk[] = [], options: OptimizeOptions = {}): TokenUsageInfo {
    const plan = this.optimizePrompt(systemPrompt, userInput, contextChunks, options);
    const u = plan.tokenUsage;
    return {
      totalTokens: u.total,
      truncated: plan.truncated,
      truncatedSections: plan.truncatedSections,
      perSection: { system: u.system, user: u.user, context: u.context, history: u.history },
      limit: u.limit,
      completionReserve: u.completionReserve,
      requested: u.requested,
      estimated: u.estimated,
      droppedChunks: plan.droppedChunks,
      droppedMessages: plan.droppedMessages,
      warning: plan.warning,
    };
  }

  /** Cache statistics (for the benchmark and diagnostics). */
  get cacheStats(): { hits: number; misses: number; entries: number; chars: number } {
    return { hits: this.cache.hits, misses: this.cache.misses, entries: this.cache.size, chars: this.cache.totalChars };
  }

  /** Frees the tokenizer's WASM memory (if it was loaded) and the cache. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.active && this.active !== this.options.tokenizer) this.active.dispose();
    this.active = undefined;
    this.cache.clear();
    this.classCache.clear();
    this.gluedCache.clear();
  }
}
