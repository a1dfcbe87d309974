import type { Dispatcher } from 'undici';
import { InMemoryCalibrationStore, type CalibrationStore } from './core/calibration/calibrationStore';
import { Calibrator } from './core/calibration/calibrator';
import { OllamaContextError } from './core/ollama/errors';
import { normaliseBaseUrl, type OllamaEndpoint } from './core/ollama/http';
import { listModels, serverInfo, type CatalogModel, type ServerInfo } from './core/ollama/modelCatalog';
import type { LedgerHook, LedgerReservation } from './core/ledger/hook';
import { ModelInfoService, type ModelFacts } from './core/ollama/modelInfo';
import { buildMessages, rawContentTokens, templateTokens } from './core/request/promptMessages';
import type { RetryPolicy } from './core/ollama/retry';
import { messageOf, silentLogger, systemClock, type Clock, type Logger } from './core/runtime';
import { serverCutNotice, truncatedNotice } from './core/request/notices';
import { checkServerTruncation } from './core/request/truncationCheck';
import type { Notice, TruncatedNotice } from './shared/notices';
import { formatUsageLine, type ResponseUsage } from './core/request/usageLine';
import { DEFAULTS, isValidated, keysOf, pick, validateConfig, type KeysOfScope, type TherapistConfig } from './core/config';
import type { ChunkReport, ContextChunk, HistoryMessage, OptimizedPrompt, PromptSection, TokenUsageInfo } from './core/tokens/types';
import { StreamingService, type ChatOutcome } from './streamingService';
import { TokenCounter } from './tokenCounter';

/** The system prompt used when the caller gives none. */
export const DEFAULT_SYSTEM_PROMPT =
  'You are Therapist, a careful coding assistant running locally in VS Code. Answer the question at the end of the ' +
  "user's message; code context from the user's editor may come before it. Be concise and concrete, show code in " +
  'fenced blocks with a language tag, and say so when the context given is not enough to answer.';

/** How long the token meter reuses a failed model look-up before asking Ollama again (requests always ask). */
export const FACTS_FAILURE_REUSE_MS = 10_000;
/** Chat-template tokens per message (role markers and separators; Llama 3's template adds about 5). */
export const DEFAULT_PER_MESSAGE_OVERHEAD = 5;
/** Model tokens per GPT-2 token assumed before a model has taught us its ratio (llama-family tokenizers run ~30% higher). */
export const UNCALIBRATED_FACTOR = 1.3;

/** The settings ModelIntegration uses: the budgets, which server and model, and how answers are fetched. */
export const MODEL_SETTING_KEYS = keysOf('budgets', 'model', 'transport');
export type ModelSettings = Pick<TherapistConfig, KeysOfScope<'budgets' | 'model' | 'transport'>>;

/** Settings (named as in package.json without `therapist.`; see core/config.ts) plus injectables. */
export interface ModelIntegrationOptions extends Partial<ModelSettings> {
  dispatcher?: Dispatcher;
  clock?: Clock;
  logger?: Logger;
  calibrationStore?: CalibrationStore;
  /** A counter to use (not disposed by ModelIntegration); default: a GPT-2 TokenCounter. */
  tokenCounter?: TokenCounter;
  /** A token ledger: reserve before sending, settle after. */
  ledger?: LedgerHook;
  /** Who the ledger charges (default 'local'). */
  user?: string;
  perMessageOverhead?: number;
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
  calibration: number;
  calibrated: boolean;
  /** Where the window came from; "therapist.maxTokens (model facts unavailable: ...)" when Ollama could not be asked. */
  windowSource: string;
  /** What would be cut, as the panel shows it; undefined when everything fits. */
  notice?: TruncatedNotice;
}

/**
 * One request end to end: model facts -> fit the prompt with the TokenCounter (calibrated, for the effective
 * window) -> reserve in the ledger -> stream with num_ctx and num_predict -> check prompt_eval_count for silent
 * truncation, learn the calibration, settle the ledger, log one usage line.
 */
export class ModelIntegration {
  private settings: ModelSettings;
  private readonly counter: TokenCounter;
  private readonly ownsCounter: boolean;
  private readonly streaming: StreamingService;
  private readonly info: ModelInfoService;
  private server: { url: string; info: Promise<ServerInfo> } | undefined;
  private readonly calibrator: Calibrator;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly overhead: number;

  constructor(private readonly options: ModelIntegrationOptions = {}) {
    const settings = modelSettingsOf({ ...DEFAULTS, ...defined(options) });
    this.settings = settings;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.overhead = options.perMessageOverhead ?? DEFAULT_PER_MESSAGE_OVERHEAD;
    this.ownsCounter = !options.tokenCounter;
    // One counter for the whole life: budgets are passed into every fit, so a budget change keeps its cache and tokenizer.
    this.counter =
      options.tokenCounter ??
      new TokenCounter(settings.maxTokens, settings.systemTokenBudget, settings.userTokenBudget, settings.contextTokenBudget, { logger: this.logger });
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
      () => ({ baseUrl: this.streaming.baseUrl, dispatcher: options.dispatcher }),
      this.logger,
      () => this.clock.now(),
    );
    this.calibrator = new Calibrator(options.calibrationStore ?? new InMemoryCalibrationStore(), {}, this.logger);
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
      this.info.invalidate(next.model);
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

  /** The current model's facts: effective window and where each number came from (asks Ollama once per model). */
  getModelFacts(signal?: AbortSignal): Promise<ModelFacts> {
    return this.info.getFacts(this.settings.model, this.settings.maxTokens, signal);
  }

  /** The same plan generateResponse would send, without sending. Uses maxTokens when Ollama cannot be asked. */
  async getTokenUsageInfo(
    prompt: string,
    context: readonly ContextChunk[] = [],
    opts: { history?: readonly HistoryMessage[]; systemPrompt?: string } = {},
  ): Promise<UsageInfo> {
    let window = this.settings.maxTokens;
    let windowSource: string;
    try {
      // Counting runs on every change of the composer: reuse a recent failure rather than ask a down Ollama each time.
      const facts = await this.info.getFacts(this.settings.model, this.settings.maxTokens, undefined, { reuseFailureForMs: FACTS_FAILURE_REUSE_MS });
      window = facts.effectiveWindow;
      windowSource = facts.sources.effectiveWindow;
    } catch (error) {
      windowSource = `therapist.maxTokens (model facts unavailable: ${messageOf(error)})`;
    }
    const cal = this.calibrationFor(this.settings.model);
    const info = this.counter.getTokenUsageInfo(opts.systemPrompt ?? DEFAULT_SYSTEM_PROMPT, prompt, context, {
      history: opts.history,
      calibration: cal.factor,
      perMessageOverhead: this.overhead,
      maxTokens: window,
      budgets: this.settings,
    });
    const notice = truncatedNotice({ ...info, total: info.totalTokens });
    return { ...info, model: this.settings.model, calibration: cal.factor, calibrated: cal.calibrated, windowSource, notice };
  }

  /** Fits, sends and streams one request; see the class comment. Cancellation resolves with `cancelled: true`. */
  async generateResponse(prompt: string, context: readonly ContextChunk[] = [], opts: GenerateOptions = {}): Promise<GenerateResult> {
    const model = this.settings.model;
    let facts: ModelFacts;
    try {
      facts = await this.getModelFacts(opts.signal);
    } catch (error) {
      if (opts.signal?.aborted) return this.cancelledBeforeSending(this.plan(prompt, context, opts, this.settings.maxTokens), model);
      throw error;
    }
    const notices: Notice[] = [];
    let plan = this.plan(prompt, context, opts, facts.effectiveWindow);
    const who = { user: this.options.user ?? 'local', conversation: opts.conversationId ?? 'default', model, command: opts.command ?? 'chat' };
    // Near a quota the ledger asks for a smaller request (less context, a smaller answer reserve); at the limit it
    // refuses, and nothing is sent. num_ctx stays the same either way: only what we put in it shrinks.
    const advice = await this.options.ledger?.plan?.({
      ...who,
      promptTokens: plan.prompt.tokenUsage.total,
      completionTokens: plan.prompt.tokenUsage.completionReserve,
    });
    if (advice?.level === 'refuse') throw advice.error ?? new Error(advice.message);
    let shrink: Shrink | undefined;
    if (advice?.level === 'degrade') {
      // Plan for a window just big enough for the smaller prompt plus the smaller answer: the optimizer then cuts by
      // its usual priorities, least relevant context first.
      const u = plan.prompt.tokenUsage;
      const completionReserve = Math.min(u.completionReserve, advice.shrinkCompletionTo ?? u.completionReserve);
      shrink = { window: Math.min(facts.effectiveWindow, Math.max(1, u.total - (advice.shrinkContextBy ?? 0) + completionReserve)), completionReserve };
      plan = this.plan(prompt, context, opts, facts.effectiveWindow, shrink);
      if (advice.notice) notices.push(advice.notice);
    }
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
            ...thinkField(facts.thinking, this.settings.think),
            options: { num_ctx: facts.effectiveWindow, num_predict: numPredict },
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
        // The server counted the prompt for us: learn from it and re-plan once, as Cline and Roo do.
        if (attempt === 1 && error instanceof OllamaContextError && error.promptTokens !== undefined) {
          this.calibrator.observe(model, plan.raw, error.promptTokens - plan.template);
          notices.push({ kind: 'retried', modelTokens: error.promptTokens, plannedTokens: plan.prompt.tokenUsage.total });
          plan = this.plan(prompt, context, opts, facts.effectiveWindow, shrink);
          continue;
        }
        this.logUsage(plan, undefined, model, false, error);
        throw error;
      }
    }
    const m = outcome.metrics;
    const cal = plan.calibration;
    const learned = this.calibrator.factorFor(model);
    // Expect the low end of what this model has shown: prose and code tokenize differently, and a text that
    // merely tokenizes better than the last ones must not look like a truncation.
    const expected = learned.lowRatio !== undefined ? learned.lowRatio * plan.raw + plan.template : plan.raw + plan.template;
    const check = outcome.cancelled
      ? undefined
      : checkServerTruncation({
          expectedPromptTokens: expected,
          plannedPromptTokens: plan.prompt.tokenUsage.total,
          promptEvalCount: m.promptEvalCount,
          numCtx: facts.effectiveWindow,
          calibrated: learned.samples > 0,
        });
    const suspected = check?.suspected ?? false;
    const cut = truncatedNoticeOf(plan.prompt);
    if (cut) notices.unshift(cut);
    if (check && suspected) {
      notices.push(serverCutNotice(check, plan.prompt.tokenUsage.total, facts.effectiveWindow));
      // Ollama cuts only a prompt longer than num_ctx, so the model counted at least that many: learn the lower bound.
      this.calibrator.observe(model, plan.raw, facts.effectiveWindow - plan.template);
    } else if (!outcome.cancelled && m.promptEvalCount !== undefined) this.calibrator.observe(model, plan.raw, m.promptEvalCount - plan.template);
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
    const usage = this.usageOf(plan, outcome, model, cal);
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

  private cancelledBeforeSending(plan: Plan, model: string): GenerateResult {
    const usage = this.usageOf(plan, undefined, model, plan.calibration);
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

  /** Frees the tokenizer (unless it was injected). */
  dispose(): void {
    if (this.ownsCounter) this.counter.dispose();
  }

  /** Fits the prompt into `window` (or into the smaller one a near-quota `shrink` asks for). */
  private plan(prompt: string, context: readonly ContextChunk[], opts: GenerateOptions, window: number, shrink?: Shrink): Plan {
    const calibration = this.calibrationFor(this.settings.model);
    const optimized = this.counter.optimizePrompt(opts.systemPrompt ?? DEFAULT_SYSTEM_PROMPT, prompt, context, {
      history: opts.history,
      calibration: calibration.factor,
      perMessageOverhead: this.overhead,
      maxTokens: shrink?.window ?? window,
      completionReserve: shrink?.completionReserve,
      budgets: this.settings,
    });
    const messages = buildMessages(optimized);
    return {
      prompt: optimized,
      messages,
      raw: rawContentTokens(optimized, messages.length),
      template: templateTokens(optimized, messages.length),
      calibration,
    };
  }

  private calibrationFor(model: string): { factor: number; calibrated: boolean } {
    const learned = this.calibrator.factorFor(model);
    return learned.factor === undefined ? { factor: UNCALIBRATED_FACTOR, calibrated: false } : { factor: learned.factor, calibrated: true };
  }

  private usageOf(plan: Plan, outcome: ChatOutcome | undefined, model: string, cal: { factor: number; calibrated: boolean }): ResponseUsage {
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
      calibration: cal.factor,
      calibrated: cal.calibrated,
    };
  }

  private logUsage(plan: Plan, outcome: ChatOutcome | undefined, model: string, suspected: boolean, error: unknown): void {
    this.logger.usage?.(
      formatUsageLine(this.usageOf(plan, outcome, model, plan.calibration), {
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

/** A smaller request near a quota: plan for a smaller window and/or a smaller answer reserve. */
interface Shrink {
  window: number;
  completionReserve?: number;
}

interface Plan {
  prompt: OptimizedPrompt;
  messages: ReturnType<typeof buildMessages>;
  /** Our GPT-2 count of the message contents. */
  raw: number;
  /** Template overhead we assumed for the messages. */
  template: number;
  calibration: { factor: number; calibrated: boolean };
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
