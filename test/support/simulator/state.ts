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
  numCtx: number;
  expiresAt: string;
}

/** Everything the simulator remembers; shared by the routes and the control API. */
export class SimState {
  readonly models = new Map<string, ResolvedModel>();
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
    this.loaded.clear();
    this.records.length = 0;
    this.reloads = 0;
    for (const config of this.initial) this.configure(config);
  }

  /** Adds a model, or merges the given fields into an existing one. */
  configure(config: SimModelConfig): ResolvedModel {
    const existing = this.models.get(config.name);
    const merged = resolveModel({ ...(existing ?? {}), ...config } as SimModelConfig);
    this.models.set(config.name, merged);
    if (config.loadedContext !== undefined) this.loaded.set(config.name, { numCtx: config.loadedContext, expiresAt: expiry() });
    return merged;
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
