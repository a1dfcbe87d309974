// Test doubles for the chat host: a Map-backed Memento, a recording webview port, recording host
// actions, a manual timer and a scriptable backend. Shared by the panel unit tests.
import type { ChatBackend, ContextChunk, GenerateOptions, GenerateResult, UsageInfo } from '../../../../src/host/chat/chatBackend';
import type { CatalogModel, ServerInfo } from '../../../../src/core/ollama/modelCatalog';
import type { HistoryMessage } from '../../../../src/core/tokens/types';
import type { HostActions, WebviewPort } from '../../../../src/host/chat/chatController';
import type { MementoLike } from '../../../../src/host/chat/conversationStore';
import type { HostToWebview } from '../../../../src/protocol/chat';
import type { ModelIntegration } from '../../../../src/modelIntegration';

// Compile-time contract: the real ModelIntegration satisfies the narrow interface the chat depends on.
// (tsc -p test/tsconfig.json fails here if either side drifts.)
export const asChatBackend = (model: ModelIntegration): ChatBackend => model;

export class MapMemento implements MementoLike {
  readonly data = new Map<string, unknown>();
  writes = 0;
  get<T>(key: string): T | undefined {
    const v = this.data.get(key);
    // A real Memento hands out a parsed copy: mutating it must not change storage.
    return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    this.writes++;
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.parse(JSON.stringify(value)));
  }
}

export class RecordingPort implements WebviewPort {
  readonly posted: HostToWebview[] = [];
  post(message: HostToWebview): void {
    this.posted.push(JSON.parse(JSON.stringify(message)));
  }
  of<T extends HostToWebview['type']>(type: T): Extract<HostToWebview, { type: T }>[] {
    return this.posted.filter((m): m is Extract<HostToWebview, { type: T }> => m.type === type);
  }
  types(): string[] {
    return this.posted.map((m) => m.type);
  }
  clear(): void {
    this.posted.length = 0;
  }
}

export class RecordingHost implements HostActions {
  readonly calls: string[] = [];
  readonly copied: string[] = [];
  readonly inserted: string[] = [];
  readonly errors: unknown[] = [];
  editor: string | undefined = 'src/app.ts';
  openSettings(): void {
    this.calls.push('openSettings');
  }
  openLog(): void {
    this.calls.push('openLog');
  }
  async copyText(text: string): Promise<void> {
    this.copied.push(text);
  }
  async insertAtCursor(code: string): Promise<string | undefined> {
    if (!this.editor) return undefined;
    this.inserted.push(code);
    return this.editor;
  }
  /** Where setModel writes: 'workspace' when the test says the workspace already sets one. */
  modelScope: 'workspace' | 'global' = 'global';
  readonly models: string[] = [];
  async setModel(model: string): Promise<'workspace' | 'global'> {
    this.models.push(model);
    return this.modelScope;
  }
  logError(_message: string, error: unknown): void {
    this.errors.push(error);
  }
}

/** Timers that run only when the test says so: batching is asserted without real time. */
export class ManualTimers {
  private queue: { run: () => void; cancelled: boolean }[] = [];
  readonly set = (run: () => void): (() => void) => {
    const entry = { run, cancelled: false };
    this.queue.push(entry);
    return () => (entry.cancelled = true);
  };
  runAll(): void {
    const due = this.queue;
    this.queue = [];
    for (const e of due) if (!e.cancelled) e.run();
  }
  get pending(): number {
    return this.queue.filter((e) => !e.cancelled).length;
  }
}

export function usageInfo(over: Partial<UsageInfo> = {}): UsageInfo {
  return {
    totalTokens: 150,
    truncated: false,
    truncatedSections: [],
    perSection: { system: 40, user: 10, context: 60, history: 40 },
    limit: 8192,
    completionReserve: 819,
    requested: 150,
    estimated: false,
    droppedChunks: [],
    droppedMessages: 0,
    model: 'deepseek-coder:6.7b',
    tokenizer: 'cl100k estimate x1.02',
    exact: false,
    windowSource: 'therapist.maxTokens',
    ...over,
  };
}

export function result(over: Partial<GenerateResult> = {}): GenerateResult {
  return {
    text: 'answer',
    thinking: '',
    notices: [],
    truncated: false,
    truncatedSections: [],
    droppedChunks: [],
    fallbackUsed: false,
    cancelled: false,
    serverTruncationSuspected: false,
    usage: {
      model: 'deepseek-coder:6.7b',
      perSection: { system: 40, user: 10, context: 60, history: 40 },
      total: 150,
      requested: 150,
      completionReserve: 819,
      limit: 8192,
      promptEvalCount: 170,
      evalCount: 12,
      estimated: false,
      durationMs: 50,
      tokenizer: 'cl100k estimate x1.02',
      exact: false,
    },
    ...over,
  };
}

/** What the chat controller always passes (the core's options make them optional for other callers). */
export type ControllerOptions = GenerateOptions & Required<Pick<GenerateOptions, 'onToken' | 'signal' | 'history'>>;

export interface BackendCall {
  prompt: string;
  context: readonly ContextChunk[];
  options: ControllerOptions;
}

/** A backend whose answers the test scripts; records every call. */
export class FakeBackend implements ChatBackend {
  readonly calls: BackendCall[] = [];
  readonly measured: { prompt: string; history: readonly HistoryMessage[] }[] = [];
  info: (prompt: string) => UsageInfo | Promise<UsageInfo> = () => usageInfo();
  installed: CatalogModel[] = [
    { name: 'deepseek-coder:6.7b', trainedContext: 16384, parameterSize: '6.7B' },
    { name: 'qwen2.5-coder:7b', trainedContext: 32768 },
  ];
  server: ServerInfo = { version: '0.33.0' };
  async listModels(): Promise<CatalogModel[]> {
    return this.installed;
  }
  async getServerInfo(): Promise<ServerInfo> {
    return this.server;
  }
  answer: (call: BackendCall) => Promise<GenerateResult> = async (call) => {
    call.options.onToken('ans');
    call.options.onToken('wer');
    return result();
  };
  generateResponse(prompt: string, context: readonly ContextChunk[] = [], options: GenerateOptions = {}): Promise<GenerateResult> {
    const call = { prompt, context, options: options as ControllerOptions };
    this.calls.push(call);
    return this.answer(call);
  }
  async getTokenUsageInfo(prompt: string, _context: readonly ContextChunk[] = [], options: { history?: readonly HistoryMessage[] } = {}): Promise<UsageInfo> {
    this.measured.push({ prompt, history: options.history ?? [] });
    return this.info(prompt);
  }
}

/** A promise and its resolver, for answers the test releases step by step. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
