import { resolveModel, sameModel, type ResolvedModel, type SimModelConfig } from './models';

/** One request as the simulator saw it: what the client asked for, and how the exchange ended. */
export interface SimRequestRecord {
  id: number;
  method: string;
  path: string;
  /** The parsed JSON body (undefined when none or unparseable). */
  body?: unknown;
  model?: string;
  stream?: boolean;
  /** `options.num_ctx` exactly as the client sent it (undefined when absent). */
  numCtx?: unknown;
  numPredict?: unknown;
  /** The window the simulated server actually used (after Modelfile/default and clamping). */
  effectiveNumCtx?: number;
  status?: number;
  /** Prompt tokens as the simulated model counts them, before truncation. */
  promptTokens?: number;
  /** The prompt_eval_count reported: the tokens that survived. */
  promptEvalCount?: number;
  truncated?: boolean;
  droppedMessages?: number;
  /** A model with a real vocabulary: the prompt string Ollama sent to the runner (template rendered, after dropped messages). */
  renderedPrompt?: string;
  /** Tokens cut from the middle of `renderedPrompt` (Ollama's runner-level truncation): what was kept and dropped. */
  promptCut?: { keptTokens: number; droppedTokens: number; numKeep: number };
  /** The model had to be (re)loaded for this request (first use, or num_ctx changed). */
  reloaded?: boolean;
  chunksSent: number;
  /** The client closed the connection before the answer was complete. */
  clientDisconnected: boolean;
  completed: boolean;
  startedAt: string;
}

/** A loaded model, as /api/ps lists it. */
export interface LoadedModel {
  /** The window the runner really has (/api/ps context_length): num_ctx, or less on a memory-limited server. */
  numCtx: number;
  expiresAt: string;
  /** The num_ctx it was loaded for (clamped to the trained context): a request asking another one reloads. */
  requestedCtx?: number;
  /** llama-server's context shift (a launch setting since 0.30.9): a request resolving to another value reloads. */
  contextShift?: boolean;
}

/** Everything the simulator remembers; shared by the routes and the control API. */
export class SimState {
  readonly models = new Map<string, ResolvedModel>();
  /** The configurations as given, merged per name: a later change re-resolves every default (vocab ones included). */
  private readonly configs = new Map<string, SimModelConfig>();
  readonly loaded = new Map<string, LoadedModel>();
  readonly records: SimRequestRecord[] = [];
  /** Times a model was (re)loaded because it was not loaded or num_ctx changed. */
  reloads = 0;
  private nextId = 1;
  private readonly open = new Set<number>();
  private idleWaiters: (() => void)[] = [];
  /** Set for npm run demo: /api/version then says the answers are canned (a real Ollama never does). */
  demo: string | undefined;

  constructor(
    private readonly initial: SimModelConfig[],
    public defaultNumCtx: number,
    public version: string,
  ) {
    this.reset();
  }

  /** Back to the models the simulator started with; forgets requests and loaded state. */
  reset(): void {
    this.models.clear();
    this.configs.clear();
    this.loaded.clear();
    this.records.length = 0;
    this.reloads = 0;
    for (const config of this.initial) this.configure(config);
  }

  /** Adds a model, or merges the given fields into an existing one. */
  configure(config: SimModelConfig): ResolvedModel {
    const raw = { ...(this.configs.get(config.name) ?? {}), ...config };
    const merged = resolveModel(raw);
    this.configs.set(config.name, raw);
    this.models.set(config.name, merged);
    if (config.loadedContext !== undefined) {
      const numCtx = Math.min(config.loadedContext, merged.loadedWindowCap ?? Infinity);
      this.loaded.set(config.name, { numCtx, requestedCtx: config.loadedContext, expiresAt: expiry() });
    }
    return merged;
  }

  /** Uninstalls a model (and unloads it). */
  remove(name: string): void {
    this.models.delete(name);
    this.configs.delete(name);
    this.loaded.delete(name);
  }

  /** The model a request names, if installed. */
  find(requested: string): ResolvedModel | undefined {
    for (const model of this.models.values()) if (sameModel(requested, model.name)) return model;
    return undefined;
  }

  /** Starts the record of one request. */
  begin(method: string, path: string): SimRequestRecord {
    const record: SimRequestRecord = {
      id: this.nextId++,
      method,
      path,
      chunksSent: 0,
      clientDisconnected: false,
      completed: false,
      startedAt: new Date().toISOString(),
    };
    this.records.push(record);
    this.open.add(record.id);
    return record;
  }

  /** Marks a request finished (completed or not). */
  end(record: SimRequestRecord, completed: boolean): void {
    if (!this.open.delete(record.id)) return;
    record.completed = completed;
    if (this.open.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Resolves once no request is in flight (so tests can assert disconnects after an abort). */
  settled(): Promise<void> {
    return this.open.size === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

/** Five minutes from now: Ollama's default keep_alive. */
export function expiry(): string {
  return new Date(Date.now() + 5 * 60_000).toISOString();
}
