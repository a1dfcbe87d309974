import type { Dispatcher } from 'undici';
import { ClassCalibrator, InMemoryClassCalibrationStore, predict, type ClassCalibrationStore } from './core/calibration/classCalibrator';
import { compareVersions } from './core/request/chatTemplate';
import { OllamaContextError } from './core/ollama/errors';
import { normaliseBaseUrl, type OllamaEndpoint } from './core/ollama/http';
import { listModels, serverInfo, type CatalogModel, type ServerInfo } from './core/ollama/modelCatalog';
import type { LedgerHook, LedgerReservation } from './core/ledger/hook';
import { ModelInfoService, type ModelFacts } from './core/ollama/modelInfo';
import { ModelTokenizers, type ExactTokenizer, type TokenizerCacheStore } from './core/request/modelTokenizers';
import { planFor, type CountedPlan, type ExactSide, type PlanRequest } from './core/request/planner';
import { answerReserve, type AnswerReserve } from './core/request/answerReserve';
import { promptShape, type PromptShape } from './core/request/promptShape';
import { stripsThinkTags } from './core/request/chatTemplate';
import type { RetryPolicy } from './core/ollama/retry';
import { messageOf, silentLogger, systemClock, type Clock, type Logger } from './core/runtime';
import { serverCutNotice, truncatedNotice } from './core/request/notices';
import { checkServerTruncation, promptEvalCountIsWhole } from './core/request/truncationCheck';
import type { CompressedNotice, Notice, TruncatedNotice } from './shared/notices';
import { formatUsageLine, type ResponseUsage } from './core/request/usageLine';
import { DEFAULTS, isValidated, keysOf, pick, validateConfig, type KeysOfScope, type TherapistConfig } from './core/config';
import type { ChunkReport, ContextChunk, HistoryMessage, OptimizedPrompt, PromptSection, TokenUsageInfo } from './core/tokens/types';
import { StreamingService, type ChatOutcome } from './streamingService';
import { TokenCounter } from './tokenCounter';
import { ConfigurationError } from './core/errors';
import { MAX_CALIBRATION } from './core/tokens/budgets';
import { CONTENT_CLASSES } from './core/tokens/contentClasses';
import type { ClassWeights, Meter } from './core/tokens/meter';

/** The system prompt used when the caller gives none. */
export const DEFAULT_SYSTEM_PROMPT =
  'You are Therapist, a careful coding assistant running locally in VS Code. Answer the question at the end of the ' +
  "user's message; code context from the user's editor may come before it. Be concise and concrete, show code in " +
  'fenced blocks with a language tag, and say so when the context given is not enough to answer.';

/** How long the token meter reuses a failed model look-up before asking Ollama again (requests always ask). */
export const FACTS_FAILURE_REUSE_MS = 10_000;
/** Ollama honours truncate:false (refuses a prompt that does not fit instead of cutting it) from this version on. */
export const REFUSES_SINCE = '0.12.6';
/** A refused prompt with no numbers (0.12.6-0.29, models without context shift) is re-planned this much smaller. */
export const UNNUMBERED_REFUSAL_SHRINK = 0.85;
/**
 * A refusal costs the server one tokenization, not an evaluation: resend up to this many times, each time planned
 * with what the refusals taught (a fit far off the model's tokenizer needs two lessons, a correct one none).
 */
export const MAX_REFUSAL_RESENDS = 2;
/**
 * The fallback counts in cl100k, not GPT-2: over mixed code, prose, CJK, CSV and logs, a per-class fit on cl100k
 * counts predicts Llama 3, Qwen3, DeepSeek V3 and Gemma 3 with a median error of 0.3-0.9% (p90 1.1-2.4%), on GPT-2
 * counts 0.6-1.3% (p90 1.9-3.3%); on README prose one ratio varies +-0.2-5.8% against +-8-10% (docs/TOKEN_CONSTRAINTS.md).
 */
export const FALLBACK_ENCODING = 'cl100k_base' as const;

/** The settings ModelIntegration uses: the budgets, which server and model, and how answers are fetched. */
export const MODEL_SETTING_KEYS = keysOf('budgets', 'model', 'transport');
export type ModelSettings = Pick<TherapistConfig, KeysOfScope<'budgets' | 'model' | 'transport'>>;

/** Settings (named as in package.json without `therapist.`; see core/config.ts) plus injectables. */
export interface ModelIntegrationOptions extends Partial<ModelSettings> {
  dispatcher?: Dispatcher;
  clock?: Clock;
  logger?: Logger;
  /** Where the GPT-2 fallback's per-model calibration is kept between sessions (default: in memory). */
  calibrationStore?: ClassCalibrationStore;
  /** Where models' own tokenizers are cached, keyed by digest (default: none: read from the server once per session). */
  tokenizerCache?: TokenizerCacheStore;
  /** False: never read the model's tokenizer, always count with GPT-2 and the calibration (tests of the fallback). */
  exactTokenizers?: boolean;
  /** Told when a model's counting changes (its own tokenizer became ready): the host redraws the meter. */
  onCountingChange?: (model: string) => void;
  /**
   * The fallback's counter, for models whose own tokenizer cannot be read (not disposed by ModelIntegration);
   * default: a TokenCounter in cl100k (see FALLBACK_ENCODING).
   */
  tokenCounter?: TokenCounter;
  /** A token ledger: reserve before sending, settle after. */
  ledger?: LedgerHook;
  /** Who the ledger charges (default 'local'). */
  user?: string;
  retry?: Partial<RetryPolicy>;
}

/** Per-request options of generateResponse. */
export interface GenerateOptions {
  history?: readonly HistoryMessage[];
  onToken?: (text: string) => void;
  signal?: AbortSignal;
  systemPrompt?: string;
  /** For the ledger: 'chat', 'explainSelection', ... (default 'chat'). */
  command?: string;
  conversationId?: string;
  /** Streaming broke and a non-streaming request follows: clear the partial text shown so far. */
  onFallback?: (reason: string) => void;
  /** A thinking model's reasoning, as it streams (apart from the answer). */
  onThinking?: (text: string) => void;
  /** Another installed model for this request (a summary written by therapist.summarize.model); default therapist.model. */
  model?: string;
  /** Cap the answer at this many tokens (a summary's cap): the plan reserves no more, num_predict says no more. */
  numPredict?: number;
  /** Overrides therapist.think for this request (a summary is written without thinking: its cap is for the text). */
  think?: TherapistConfig['think'];
}

/** What generateResponse returns. `notices` say, as typed data, everything the user should know (shared/notices.ts). */
export interface GenerateResult {
  text: string;
  /** A thinking model's reasoning ('' when the model did not think); counted in usage.evalCount with the answer. */
  thinking: string;
  usage: ResponseUsage;
  notices: Notice[];
  truncated: boolean;
  truncatedSections: PromptSection[];
  droppedChunks: ChunkReport[];
  fallbackUsed: boolean;
  cancelled: boolean;
  serverTruncationSuspected: boolean;
}

/** The plan without sending, plus the window facts it used. */
export interface UsageInfo extends TokenUsageInfo {
  model: string;
  /** Which tokenizer counted ("qwen2 (exact)", "cl100k estimate x1.02"), and whether the count is the model's own. */
  tokenizer: string;
  exact: boolean;
  /** The fallback's fit: how many requests taught it (undefined for exact counts). */
  calibrationSamples?: number;
  /** Where the window came from; "therapist.maxTokens (model facts unavailable: ...)" when Ollama could not be asked. */
  windowSource: string;
  /** What would be cut, as the panel shows it; undefined when everything fits. */
  notice?: TruncatedNotice;
}

/**
 * One request end to end: model facts -> plan in the model's own tokens (its tokenizer and template when they can
 * be read, else GPT-2 per content class with learned ratios) for the effective window -> reserve in the ledger ->
 * stream with num_ctx, num_predict and truncate:false -> on a refusal, learn and re-plan once -> check and learn
 * from prompt_eval_count, settle the ledger, log one usage line.
 */
export class ModelIntegration {
  private settings: ModelSettings;
  private readonly counter: TokenCounter;
  private readonly ownsCounter: boolean;
  private readonly streaming: StreamingService;
  private readonly info: ModelInfoService;
  private readonly tokenizers: ModelTokenizers;
  private server: { url: string; info: Promise<ServerInfo> } | undefined;
  private readonly calibrator: ClassCalibrator;
  private readonly logger: Logger;
  private readonly clock: Clock;
  /** A counter per exact tokenizer (its own count cache), and the template's shape per model and think setting. */
  private readonly exactCounters = new WeakMap<ExactTokenizer, TokenCounter>();
  private readonly shapes = new Map<string, PromptShape>();
  /** Tokens a model's server counted beyond our exact count (a template detail we render differently), per model. */
  private readonly corrections = new Map<string, number>();
  /** Models whose loaded window was read back after their first request on this server. */
  private readonly windowChecked = new Set<string>();

  constructor(private readonly options: ModelIntegrationOptions = {}) {
    const settings = modelSettingsOf({ ...DEFAULTS, ...defined(options) });
    this.settings = settings;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.ownsCounter = !options.tokenCounter;
    // One counter for the whole life: budgets are passed into every fit, so a budget change keeps its cache and tokenizer.
    this.counter =
      options.tokenCounter ??
      new TokenCounter(settings.maxTokens, settings.systemTokenBudget, settings.userTokenBudget, settings.contextTokenBudget, {
        logger: this.logger,
        encoding: FALLBACK_ENCODING,
      });
    this.streaming = new StreamingService({
      ollamaUrl: settings.ollamaUrl,
      streamingTimeout: settings.streamingTimeout,
      enableStreaming: settings.enableStreaming,
      dispatcher: options.dispatcher,
      clock: this.clock,
      logger: this.logger,
      retry: options.retry,
    });
    this.info = new ModelInfoService(
      () => this.endpoint(),
      this.logger,
      () => this.clock.now(),
    );
    this.tokenizers = new ModelTokenizers(
      () => this.endpoint(),
      options.tokenizerCache,
      this.logger,
      (model) => options.onCountingChange?.(model),
    );
    this.calibrator = new ClassCalibrator(options.calibrationStore ?? new InMemoryClassCalibrationStore(), this.logger);
  }

  /**
   * Applies changed settings live (keys it does not use are ignored). An invalid value throws ConfigurationError
   * and leaves the previous settings in force; a configuration already checked by validateConfig is not checked again.
   */
  updateOptions(partial: Partial<TherapistConfig>): void {
    const prev = this.settings;
    const next = modelSettingsOf({ ...prev, ...defined(partial) }, isValidated(partial));
    this.settings = next;
    this.streaming.updateOptions({ ollamaUrl: next.ollamaUrl, streamingTimeout: next.streamingTimeout, enableStreaming: next.enableStreaming });
    if (next.model !== prev.model || next.ollamaUrl !== prev.ollamaUrl) {
      this.info.invalidate(next.ollamaUrl !== prev.ollamaUrl ? undefined : next.model);
      this.windowChecked.clear();
      this.logger.info(`model settings changed: ${next.model} at ${normaliseBaseUrl(next.ollamaUrl)}; its facts are read again on next use`);
    }
  }

  /** The models the server has installed, each with its trained window (for the model picker). */
  listModels(): Promise<CatalogModel[]> {
    return listModels(this.endpoint(), this.logger);
  }

  /** The server's version, and whether it is the project's demo server (asked once per URL). */
  getServerInfo(): Promise<ServerInfo> {
    const url = this.streaming.baseUrl;
    if (this.server?.url !== url) this.server = { url, info: serverInfo(this.endpoint()) };
    return this.server.info;
  }

  /** The model the settings name. */
  get model(): string {
    return this.settings.model;
  }

  private endpoint(): OllamaEndpoint {
    return { baseUrl: this.streaming.baseUrl, dispatcher: this.options.dispatcher };
  }

  /** A model's facts (default: the current model): effective window and where each number came from (asks Ollama once per model). */
  getModelFacts(signal?: AbortSignal, model = this.settings.model): Promise<ModelFacts> {
    return this.info.getFacts(model, this.settings.maxTokens, signal);
  }

  /**
   * How the planner counts `model`'s texts right now (its own tokenizer when ready, else the fallback's calibrated
   * cl100k), and its template's per-message cost: for callers that size texts before asking, such as the summarizer.
   */
  meterFor(model = this.settings.model): { meter: Meter; perMessageOverhead: number; exact: boolean } {
    const side = this.exactSide(model, this.info.cachedFacts(model, this.settings.maxTokens), undefined);
    if (side) return { meter: side.counter.meterFor(1), perMessageOverhead: side.shape.perMessage, exact: true };
    const e = this.calibrator.estimate(model);
    const weights = Object.fromEntries(CONTENT_CLASSES.map((c) => [c, Math.min(MAX_CALIBRATION, e.ratios.ratios[c] * (1 + e.margin))])) as ClassWeights;
    return { meter: this.counter.meterFor(weights), perMessageOverhead: Math.ceil(e.ratios.perMessage), exact: false };
  }

  /**
   * Resolves once the current model's own tokenizer is ready, or known to be unavailable (then counts use the GPT-2
   * fallback). Never needed before a request, which counts with whatever is ready: for tests, benchmarks, warm-up.
   */
  async whenCountingSettles(): Promise<void> {
    if (this.options.exactTokenizers === false) return;
    await this.tokenizers.settled(this.settings.model);
  }

  /** The same plan generateResponse would send, without sending. Uses maxTokens when Ollama cannot be asked. */
  async getTokenUsageInfo(
    prompt: string,
    context: readonly ContextChunk[] = [],
    opts: { history?: readonly HistoryMessage[]; systemPrompt?: string; command?: string } = {},
  ): Promise<UsageInfo> {
    let facts: ModelFacts | undefined;
    let windowSource: string;
    try {
      // Counting runs on every change of the composer: reuse a recent failure rather than ask a down Ollama each time.
      facts = await this.info.getFacts(this.settings.model, this.settings.maxTokens, undefined, { reuseFailureForMs: FACTS_FAILURE_REUSE_MS });
      windowSource = facts.sources.effectiveWindow;
    } catch (error) {
      windowSource = `therapist.maxTokens (model facts unavailable: ${messageOf(error)})`;
    }
    const version = (await this.getServerInfo()).version;
    const window = facts?.effectiveWindow ?? this.settings.maxTokens;
    // The same answer reserve the send will hold (sized from past answers), so the meter shows what will be sent.
    const lengths = await this.answerLengths(this.settings.model, opts.command ?? 'chat');
    const plan = this.plan(this.settings.model, this.planRequest(prompt, context, opts, window, lengths).req, facts, version);
    const p = plan.prompt;
    const u = p.tokenUsage;
    const info: TokenUsageInfo = {
      totalTokens: u.total,
      truncated: p.truncated,
      truncatedSections: p.truncatedSections,
      perSection: { system: u.system, user: u.user, context: u.context, history: u.history },
      limit: u.limit,
      completionReserve: u.completionReserve,
      requested: u.requested,
      estimated: u.estimated,
      droppedChunks: p.droppedChunks,
      droppedMessages: p.droppedMessages,
      warning: p.warning,
    };
    const samples = plan.counting.mode === 'estimate' ? plan.counting.estimate.samples : undefined;
    return {
      ...info,
      model: this.settings.model,
      tokenizer: plan.counting.label,
      exact: plan.counting.mode === 'exact',
      calibrationSamples: samples,
      windowSource,
      notice: truncatedNoticeOf(p),
    };
  }

  /** What to plan for one request in `window`: the texts, the budgets, and the answer reserve sized from past answers. */
  private planRequest(
    prompt: string,
    context: readonly ContextChunk[],
    opts: { history?: readonly HistoryMessage[]; systemPrompt?: string; command?: string; numPredict?: number },
    window: number,
    lengths: readonly number[] | undefined,
  ): { req: PlanRequest; reserve: AnswerReserve } {
    const reserve = answerReserve(window, lengths, opts.command ?? 'chat', opts.numPredict);
    const req = {
      systemPrompt: opts.systemPrompt ?? DEFAULT_SYSTEM_PROMPT,
      prompt,
      context,
      history: opts.history,
      window,
      budgets: this.settings,
      completionReserve: reserve.tokens,
    };
    return { req, reserve };
  }

  /** Recent answer lengths of `model` for `command` from the ledger, when it keeps them (never fails a request). */
  private async answerLengths(model: string, command: string): Promise<readonly number[] | undefined> {
    try {
      return await this.options.ledger?.answerLengths?.({ model, command });
    } catch (error) {
      this.logger.warn(`answer lengths unavailable (${messageOf(error)}); reserving 10% of the window`);
      return undefined;
    }
  }

  /** Fits, sends and streams one request; see the class comment. Cancellation resolves with `cancelled: true`. */
  async generateResponse(prompt: string, context: readonly ContextChunk[] = [], opts: GenerateOptions = {}): Promise<GenerateResult> {
    const model = opts.model || this.settings.model;
    const think = opts.think ?? this.settings.think;
    const version = (await this.getServerInfo()).version;
    if (opts.numPredict !== undefined && !(Number.isSafeInteger(opts.numPredict) && opts.numPredict > 0)) {
      throw new ConfigurationError('numPredict', opts.numPredict, 'a positive integer (tokens of the answer)');
    }
    // The answer reserve follows what this model's answers to this command needed (the ledger's request log).
    const lengths = await this.answerLengths(model, opts.command ?? 'chat');
    // Set by every plan (the window may change after a refusal); the usage line says which reserve was held.
    let reserve!: AnswerReserve;
    const base = (window: number): PlanRequest => {
      const planned = this.planRequest(prompt, context, opts, window, lengths);
      reserve = planned.reserve;
      return planned.req;
    };
    let facts: ModelFacts;
    try {
      facts = await this.getModelFacts(opts.signal, model);
    } catch (error) {
      if (opts.signal?.aborted) return this.cancelledBeforeSending(this.plan(model, base(this.settings.maxTokens), undefined, version, think), model);
      throw error;
    }
    const notices: Notice[] = [];
    let req = base(facts.effectiveWindow);
    let plan = this.plan(model, req, facts, version, think);
    const who = { user: this.options.user ?? 'local', conversation: opts.conversationId ?? 'default', model, command: opts.command ?? 'chat' };
    // Near a quota the ledger asks for a smaller request (less context, a smaller answer reserve); at the limit it
    // refuses, and nothing is sent. num_ctx stays the same either way: only what we put in it shrinks.
    const advice = await this.options.ledger?.plan?.({
      ...who,
      promptTokens: plan.prompt.tokenUsage.total,
      completionTokens: plan.prompt.tokenUsage.completionReserve,
    });
    if (advice?.level === 'refuse') throw advice.error ?? new Error(advice.message);
    if (advice?.level === 'degrade') {
      // Plan for a window just big enough for the smaller prompt plus the smaller answer: the planner then cuts by
      // its usual priorities, least relevant context first.
      const u = plan.prompt.tokenUsage;
      const completionReserve = Math.min(u.completionReserve, advice.shrinkCompletionTo ?? u.completionReserve);
      req = {
        ...req,
        // Context and history shrink; the system prompt and the question are never cut for a quota.
        planWindow: Math.min(
          facts.effectiveWindow,
          Math.max(u.system + u.user + completionReserve + 1, u.total - (advice.shrinkContextBy ?? 0) + completionReserve),
        ),
        completionReserve,
      };
      plan = this.plan(model, req, facts, version, think);
      if (advice.notice) notices.push(advice.notice);
    }
    // num_ctx stays what was asked for (no reload); the plan follows the window the server really has.
    const numCtx = facts.numCtx;
    let window = facts.effectiveWindow;
    let outcome: ChatOutcome | undefined;
    let reservation: LedgerReservation | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        reservation = await this.options.ledger?.reserve({
          ...who,
          promptTokens: plan.prompt.tokenUsage.total,
          completionTokens: plan.prompt.tokenUsage.completionReserve,
          signal: opts.signal,
        });
      } catch (error) {
        if (opts.signal?.aborted) return this.cancelledBeforeSending(plan, model);
        throw error;
      }
      if (opts.signal?.aborted) {
        await reservation?.cancel({ promptTokens: 0, completionTokens: 0 });
        return this.cancelledBeforeSending(plan, model);
      }
      const numPredict = Math.min(plan.prompt.tokenUsage.completionReserve, reservation?.completionTokens ?? Infinity);
      try {
        outcome = await this.streaming.chat(
          {
            model,
            messages: plan.messages,
            stream: this.settings.enableStreaming,
            // Refuse instead of cutting: a prompt that does not fit is HTTP 400 (Ollama 0.12.6+), never a silent 200.
            truncate: false,
            ...thinkField(facts.thinking, think),
            options: { num_ctx: numCtx, num_predict: numPredict },
          },
          {
            onToken: opts.onToken,
            onThinking: opts.onThinking,
            signal: opts.signal,
            promptTokens: plan.prompt.tokenUsage.total,
            onFallback: opts.onFallback && ((reason) => opts.onFallback?.(reason)),
          },
        );
        break;
      } catch (error) {
        await reservation?.rollback(messageOf(error));
        if (attempt <= MAX_REFUSAL_RESENDS && error instanceof OllamaContextError) {
          // The server refused the prompt instead of cutting it: learn what it says, re-plan tighter, send once more.
          const retry = this.afterRefusal(model, error, plan, req, window, numCtx, version);
          if (attempt === 1) notices.push({ kind: 'retried', modelTokens: error.promptTokens, plannedTokens: plan.prompt.tokenUsage.total });
          window = retry.window;
          req = { ...req, window, planWindow: retry.planWindow };
          plan = this.plan(model, req, { ...facts, effectiveWindow: window }, version, think);
          continue;
        }
        this.logUsage(plan, undefined, model, false, error);
        throw error;
      }
    }
    const m = outcome.metrics;
    const suspected = this.afterAnswer(model, plan, outcome, window, numCtx, version, notices);
    const cut = truncatedNoticeOf(plan.prompt);
    if (cut) notices.unshift(cut);
    const compressed = compressedNoticeOf(plan.prompt);
    if (compressed) notices.push(compressed);
    if (outcome.fallbackUsed) notices.push({ kind: 'fallback', reason: outcome.fallbackReason ?? 'the stream broke' });
    if (outcome.cancelled) await reservation?.cancel({ promptTokens: plan.prompt.tokenUsage.total, completionTokens: countPieces(outcome) });
    else
      await reservation?.commit({
        promptTokens: m.promptEvalCount ?? plan.prompt.tokenUsage.total,
        completionTokens: m.evalCount ?? countPieces(outcome),
        ourPromptTokens: plan.prompt.tokenUsage.total,
        truncatedSections: plan.prompt.truncatedSections,
        latencyMs: Math.round(outcome.durationMs),
      });
    if (!outcome.cancelled && (!this.windowChecked.has(model) || window < numCtx)) {
      // After a model's first request the server has loaded it: read back the window it really has; while it has
      // less than asked for, after every request, to plan for the full window again as soon as it is back.
      this.windowChecked.add(model);
      void this.info.refreshLoaded(model, numCtx).catch(() => undefined);
    }
    const usage = { ...this.usageOf(plan, outcome, model), reserveSource: reserve.source };
    this.logger.usage?.(
      formatUsageLine(usage, {
        truncatedSections: plan.prompt.truncatedSections,
        droppedChunks: plan.prompt.droppedChunks.length,
        droppedMessages: plan.prompt.droppedMessages,
        fallbackUsed: outcome.fallbackUsed,
        cancelled: outcome.cancelled,
        serverTruncationSuspected: suspected,
      }),
    );
    return {
      text: outcome.text,
      thinking: outcome.thinking,
      usage,
      notices,
      truncated: plan.prompt.truncated,
      truncatedSections: plan.prompt.truncatedSections,
      droppedChunks: plan.prompt.droppedChunks,
      fallbackUsed: outcome.fallbackUsed,
      cancelled: outcome.cancelled,
      serverTruncationSuspected: suspected,
    };
  }

  /** Plans a request for `model`: exactly when its own tokenizer is ready, else with the GPT-2 fallback. */
  private plan(model: string, req: PlanRequest, facts: ModelFacts | undefined, version: string | undefined, think = this.settings.think): CountedPlan {
    return planFor(req, this.exactSide(model, facts, version, think), this.counter, this.calibrator, model);
  }

  /** The exact side of a model: its tokenizer (when ready), a counter over it, and its template's shape. */
  private exactSide(model: string, facts: ModelFacts | undefined, version: string | undefined, thinkSetting = this.settings.think): ExactSide | undefined {
    // Without `tokenizer.ggml.model` in the facts there is no vocabulary to read: no 10 MB verbose /api/show for nothing.
    if (this.options.exactTokenizers === false || !facts?.tokenizerModel) return undefined;
    const counting = this.tokenizers.counting(model);
    if (counting.state !== 'exact') return undefined;
    const tokenizer = counting.tokenizer;
    let counter = this.exactCounters.get(tokenizer);
    if (!counter) {
      counter = new TokenCounter(this.settings.maxTokens, this.settings.systemTokenBudget, this.settings.userTokenBudget, this.settings.contextTokenBudget, {
        tokenizer,
      });
      this.exactCounters.set(tokenizer, counter);
    }
    const think = thinkField(facts.thinking, thinkSetting).think;
    const key = `${this.streaming.baseUrl}\n${model}\n${String(think)}\n${version ?? ''}`;
    let shape = this.shapes.get(key);
    if (!shape) {
      shape = promptShape(facts.template, tokenizer, {
        think,
        thinkingCapable: facts.thinking,
        system: facts.system,
        modelMessages: facts.modelMessages,
        stripThinkTags: stripsThinkTags(facts.family, model),
        ollamaVersion: version,
        bosText: counting.bosText,
      });
      if (shape.why)
        this.logger.info(`model ${model}: its chat template is not rendered (${shape.why}); the template's cost is measured from the server's counts instead`);
      this.shapes.set(key, shape);
    }
    return { tokenizer, counter, shape, label: counting.label, bosText: counting.bosText, correction: this.corrections.get(model) ?? 0 };
  }

  /**
   * A refused prompt (truncate:false): the server's numbers, when it gives them, say what the model counted and
   * what window it has. Learn both, and plan the resend for what really fits: the re-plan counts with what was just
   * learned, and where that still falls short of the model's own count of the refused prompt, the prompt's room
   * shrinks by the same ratio (plus 2%). Without numbers, plan 15% smaller.
   */
  private afterRefusal(
    model: string,
    error: OllamaContextError,
    plan: CountedPlan,
    req: PlanRequest,
    current: number,
    numCtx: number,
    version: string | undefined,
  ): { window: number; planWindow: number } {
    const planned = plan.prompt.tokenUsage.total;
    let window = current;
    if (error.availableTokens !== undefined && error.availableTokens < window) {
      // The server has less room than we asked for (a memory limit): plan for what it has, and say so from now on.
      window = error.availableTokens;
      this.info.capWindow(model, window);
      void this.info.refreshLoaded(model, numCtx).catch(() => undefined);
    }
    const reserve = req.completionReserve ?? Math.ceil(0.1 * window);
    const room = Math.min(window, req.planWindow ?? window) - reserve;
    const resend = (promptRoom: number) => ({ window, planWindow: reserve + Math.max(1, Math.floor(Math.min(room, promptRoom) - 0.02 * window)) });
    if (error.promptTokens === undefined) return resend(Math.floor(Math.min(room, planned) * UNNUMBERED_REFUSAL_SHRINK));
    const counting = plan.counting;
    // What the re-plan will count the refused prompt as: the fit's new prediction, or the exact count corrected.
    let recounted = planned;
    if (counting.mode === 'estimate') {
      // The refused prompt was evaluated whole by the tokenizer: a valid sample for the fit.
      if (promptEvalCountIsWhole(version)) {
        this.calibrator.observe(model, { ...counting.features, modelTokens: error.promptTokens });
        const e = this.calibrator.estimate(model);
        recounted = predict(e.ratios, counting.features.counts, counting.features.messages) * (1 + e.margin);
      }
    } else {
      this.corrections.set(model, (this.corrections.get(model) ?? 0) + (error.promptTokens - planned));
      this.logger.warn(
        `model ${model}: the server counted ${error.promptTokens} prompt tokens where the exact count was ${planned}; correcting by ${error.promptTokens - planned}`,
      );
      recounted = error.promptTokens;
    }
    return resend(Math.floor(room * Math.min(1, recounted / error.promptTokens)));
  }

  /**
   * After a complete answer: a server that may cut silently (older than 0.12.6) is checked for a cut; every answer
   * the model evaluated whole teaches the GPT-2 fallback its ratios (never a suspected one: that would teach a ratio
   * far too low and shrink every later prompt); an exact count that disagrees with the server's is corrected.
   * Returns whether a cut is suspected (and then adds the notice).
   */
  private afterAnswer(
    model: string,
    plan: CountedPlan,
    outcome: ChatOutcome,
    window: number,
    numCtx: number,
    version: string | undefined,
    notices: Notice[],
  ): boolean {
    const actual = outcome.metrics.promptEvalCount;
    if (outcome.cancelled || actual === undefined || !promptEvalCountIsWhole(version)) return false;
    const counting = plan.counting;
    const expected = counting.mode === 'exact' ? plan.prompt.tokenUsage.total : counting.expected;
    const check = checkServerTruncation({
      expectedPromptTokens: expected,
      promptEvalCount: actual,
      numCtx: window,
      counting: counting.mode === 'exact' ? { exact: true } : { exact: false, samples: counting.estimate.samples, recentError: counting.estimate.recentError },
      refusesInsteadOfCutting: version !== undefined && compareVersions(version, REFUSES_SINCE) >= 0,
    });
    if (check.suspected) {
      notices.push(serverCutNotice(check, plan.prompt.tokenUsage.total, numCtx));
      void this.info.refreshLoaded(model, numCtx).catch(() => undefined);
      return true;
    }
    if (counting.mode === 'estimate') {
      if (actual < window) this.calibrator.observe(model, { ...counting.features, modelTokens: actual });
    } else if (actual !== expected) {
      // The exact count should equal the server's; a difference is a template detail rendered differently: learn it.
      this.corrections.set(model, (this.corrections.get(model) ?? 0) + (actual - expected));
      this.logger.warn(`model ${model}: exact count ${expected}, the server evaluated ${actual} (difference ${actual - expected}; corrected from now on)`);
    }
    return false;
  }

  private cancelledBeforeSending(plan: CountedPlan, model: string): GenerateResult {
    const usage = this.usageOf(plan, undefined, model);
    return {
      text: '',
      thinking: '',
      usage,
      notices: [truncatedNoticeOf(plan.prompt)].filter((n) => n !== undefined),
      truncated: plan.prompt.truncated,
      truncatedSections: plan.prompt.truncatedSections,
      droppedChunks: plan.prompt.droppedChunks,
      fallbackUsed: false,
      cancelled: true,
      serverTruncationSuspected: false,
    };
  }

  /** Frees the tokenizers (the GPT-2 one unless it was injected). */
  dispose(): void {
    if (this.ownsCounter) this.counter.dispose();
  }

  private usageOf(plan: CountedPlan, outcome: ChatOutcome | undefined, model: string): ResponseUsage {
    const u = plan.prompt.tokenUsage;
    return {
      model,
      perSection: { system: u.system, user: u.user, context: u.context, history: u.history },
      total: u.total,
      requested: u.requested,
      limit: u.limit,
      completionReserve: u.completionReserve,
      promptEvalCount: outcome?.metrics.promptEvalCount,
      evalCount: outcome?.metrics.evalCount,
      ttftMs: outcome?.ttftMs,
      tokensPerSecond: outcome?.tokensPerSecond,
      durationMs: outcome?.durationMs ?? 0,
      estimated: u.estimated,
      tokenizer: plan.counting.label,
      exact: plan.counting.mode === 'exact',
      calibrationSamples: plan.counting.mode === 'estimate' ? plan.counting.estimate.samples : undefined,
      predicted: plan.counting.mode === 'estimate' ? Math.round(plan.counting.expected) : undefined,
    };
  }

  private logUsage(plan: CountedPlan, outcome: ChatOutcome | undefined, model: string, suspected: boolean, error: unknown): void {
    this.logger.usage?.(
      formatUsageLine(this.usageOf(plan, outcome, model), {
        truncatedSections: plan.prompt.truncatedSections,
        droppedChunks: plan.prompt.droppedChunks.length,
        droppedMessages: plan.prompt.droppedMessages,
        fallbackUsed: false,
        cancelled: false,
        serverTruncationSuspected: suspected,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
    );
  }
}

/** The 'compressed' notice of an optimized prompt: what compression saved in what was sent, when it saved anything. */
function compressedNoticeOf(prompt: OptimizedPrompt): CompressedNotice | undefined {
  const c = prompt.compression;
  return c && c.savedTokens > 0 ? { kind: 'compressed', steps: c.steps, savedTokens: c.savedTokens } : undefined;
}

/** The 'truncated' notice of an optimized prompt. */
function truncatedNoticeOf(prompt: OptimizedPrompt): TruncatedNotice | undefined {
  const u = prompt.tokenUsage;
  return truncatedNotice({ ...prompt, total: u.total, requested: u.requested, limit: u.limit });
}

/**
 * The `think` field for a request: only a model that can think is ever asked (Ollama answers 400 to the others);
 * 'auto' asks for its default explicitly (on), so older servers, where an absent `think` meant off, behave the same.
 */
export function thinkField(canThink: boolean, setting: TherapistConfig['think']): { think?: boolean | 'low' | 'medium' | 'high' } {
  if (!canThink) return {};
  if (setting === 'off') return { think: false };
  if (setting === 'low' || setting === 'medium' || setting === 'high') return { think: setting };
  return { think: true };
}

/** Answer tokens of an outcome: eval_count, or one per streamed chunk when the server sent none. */
function countPieces(outcome: ChatOutcome): number {
  return outcome.metrics.evalCount ?? outcome.chunks;
}

/** The keys of `partial` that are set (undefined means "keep what is there"). */
function defined(partial: Partial<TherapistConfig>): Partial<TherapistConfig> {
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<TherapistConfig>;
}

/** ModelIntegration's part of a configuration, checked with the one settings validation unless it already was. */
function modelSettingsOf(config: ModelSettings & Partial<TherapistConfig>, alreadyValid = false): ModelSettings {
  const settings = pick(config as TherapistConfig, MODEL_SETTING_KEYS) as ModelSettings;
  if (!alreadyValid) validateConfig(settings);
  return settings;
}
