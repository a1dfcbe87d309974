// Routes the chat protocol: webview commands in, backend calls, notifications out. No `vscode` import:
// the panel passes in a port to post through and the few host actions (settings, log, clipboard,
// editor), so the whole conversation flow unit-tests in plain Node with a fake backend.
import { randomUUID } from 'node:crypto';
import type {
  ChatAction,
  ChatMessage,
  ChatRequests,
  HostToWebview,
  MeterReading,
  ModelChoice,
  ModelChosen,
  PanelState,
  SummaryView,
  WebviewToHost,
} from '../../protocol/chat';
import { answerRequest, type RpcHandlers } from '../../protocol/rpc';
import type { Notice } from '../../shared/notices';
import type { ChatBackend, ContextChunk, GenerateResult } from './chatBackend';
import { breakdownFromInfo, breakdownFromUsage, historyOf, isCancellation, toChatError } from './chatReports';
import { sameModel } from '../../core/ollama/modelCatalog';
import { conversationTokens, type ConversationStore } from './conversationStore';
import type { ConversationSummaries } from './conversationSummaries';
import type { HistoryMessage } from '../../core/tokens/types';
import type { SummarizedNotice } from '../../shared/notices';
import type { ContextCommand, ContextReport } from '../../protocol/context';
import { reportContext, type RetrievalInfo } from '../retrieval/contextReport';

/** Where notifications go: the panel's webview, or nothing while it is closed. */
export interface WebviewPort {
  post(message: HostToWebview): void;
}

/** The host-side effects of panel buttons. Implemented with `vscode` APIs by the panel, faked in tests. */
export interface HostActions {
  openSettings(): void;
  openLog(): void;
  copyText(text: string): Promise<void>;
  /** Inserts at the cursor of the last active editor; returns its file name, or undefined when there is none. */
  insertAtCursor(code: string): Promise<string | undefined>;
  /** Sets therapist.model: in the workspace when it already sets one (it would win otherwise), else in the user settings. */
  setModel(model: string): Promise<ModelChosen['scope']>;
  logError(message: string, error: unknown): void;
}

/** A request to the model, from the composer or from a command such as Explain Selection. */
export interface AskRequest {
  prompt: string;
  /** Shown above the message, e.g. `Explain src/app.ts, lines 10-24`. */
  title?: string;
  context?: ContextChunk[];
  systemPrompt?: string;
  command?: string;
}

/** Context found for a request that brought none of its own (a typed question): the workspace index's chunks. */
export interface ProvidedContext {
  chunks: ContextChunk[];
  /** How retrieval took part (mode, note, the conversation's pins): shown with the answer's context list. */
  retrieval?: RetrievalInfo;
}

/** Finds context for a request (see ProvidedContext); never throws: an index that cannot answer gives no chunks. */
export type ContextProvider = (request: AskRequest, conversationId: string, signal: AbortSignal) => Promise<ProvidedContext | undefined>;

export interface ChatControllerOptions {
  backend: ChatBackend;
  /** Summaries of long conversations (issue 13): the history a send uses, the next summary after a turn. */
  summaries?: ConversationSummaries;
  /** Retrieved context for typed questions (and extra context for commands); unset: only what the request brings. */
  contextFor?: ContextProvider;
  /** The context list's buttons (open a chunk, pin or exclude a file in the conversation); resolves with a notice to show. */
  onContextCommand?: (command: ContextCommand, conversationId: string) => Promise<string | undefined>;
  store: ConversationStore;
  host: HostActions;
  /** The model and window to show in the header (read live: settings can change). */
  getModel: () => { model: string; limit: number };
  /** System prompt for typed questions (commands pass their own). Unset: the backend's default. */
  systemPrompt?: string;
  /** Milliseconds to gather streamed tokens into one post (the webview draws once per animation frame anyway). */
  batchMs?: number;
  /** Timer used for batching; injected so tests flush deterministically. */
  setTimer?: (run: () => void, ms: number) => () => void;
  now?: () => number;
  newId?: () => string;
}

interface ActiveRequest {
  conversationId: string;
  assistantId: string;
  abort: AbortController;
  text: string;
  /** A thinking model's reasoning so far. */
  thinking: string;
  done: Promise<void>;
  /** The send went with the summary of the earliest turns (or while one was being made). */
  summary?: SummarizedNotice;
}

/** Options without a default (the controller works without them). */
type OptionalOptions = 'systemPrompt' | 'contextFor' | 'onContextCommand' | 'summaries';

export class ChatController {
  private port: WebviewPort | undefined;
  private ready = false;
  private active: ActiveRequest | undefined;
  /** Conversations whose stored summary state was read back into the summarizer this session. */
  private readonly restored = new Set<string>();
  /** The original requests by user message id, so Retry can resend the same context. In memory only. */
  private readonly requests = new Map<string, AskRequest>();
  private readonly o: Required<Omit<ChatControllerOptions, OptionalOptions>> & Pick<ChatControllerOptions, OptionalOptions>;
  /** Counting the composed text: one count at a time, and only the latest text waits for its turn. */
  private measuring: Promise<void> | undefined;
  private nextMeasure: { text: string; waiters: { resolve(reading: MeterReading): void; reject(error: unknown): void }[] } | undefined;
  /** The requests that expect a reply, by method. */
  private readonly handlers: RpcHandlers<ChatRequests> = {
    measure: ({ text }) => this.measure(text),
    listModels: () => this.listModels(),
    chooseModel: async ({ model }) => {
      const scope = await this.o.host.setModel(model);
      this.post({
        type: 'notice',
        text: `therapist.model is now ${model} (${scope === 'workspace' ? 'in this workspace, which already set one' : 'in your user settings, for every workspace'}).`,
      });
      return { scope };
    },
  };

  constructor(options: ChatControllerOptions) {
    this.o = {
      batchMs: 16,
      setTimer: (run, ms) => {
        const t = setTimeout(run, ms);
        return () => clearTimeout(t);
      },
      now: Date.now,
      newId: randomUUID,
      ...options,
    };
  }

  /** Connects a (new) webview. Nothing is posted until it says `ready`. */
  attach(port: WebviewPort): void {
    this.port = port;
    this.ready = false;
  }

  detach(): void {
    this.port = undefined;
    this.ready = false;
  }

  get busy(): boolean {
    return this.active !== undefined;
  }

  /** Handles one command from the webview. Never throws: failures become error notifications. */
  async handle(message: WebviewToHost): Promise<void> {
    try {
      switch (message.type) {
        case 'ready':
          this.ready = true;
          this.refresh();
          return;
        case 'send':
          if (message.text.trim()) await this.ask({ prompt: message.text });
          return;
        case 'stop':
          this.stop();
          return;
        case 'request':
          await answerRequest(
            message,
            this.handlers,
            (reply) => this.post(reply),
            (error) => toChatError(error, this.o.getModel().model),
          );
          return;
        case 'newConversation':
          this.newConversation();
          return;
        case 'switchConversation':
          if (this.o.store.setActive(message.conversationId)) this.post({ type: 'state', state: this.state() });
          return;
        case 'action':
          await this.action(message.action, message.messageId);
          return;
        case 'undoSummary':
        case 'resumeSummary': {
          const id = this.o.store.active().id;
          if (message.type === 'undoSummary') this.o.summaries?.undo(id);
          else this.o.summaries?.resume(id);
          this.summaryChanged(id);
          return;
        }
        case 'copyCode':
          await this.o.host.copyText(message.code);
          this.post({ type: 'notice', text: 'Copied to the clipboard.' });
          return;
        case 'insertCode': {
          const file = await this.o.host.insertAtCursor(message.code);
          this.post({ type: 'notice', text: file ? `Inserted into ${file}.` : 'No editor to insert into: click into a file first.' });
          return;
        }
        case 'openContext':
        case 'pinContextFile':
        case 'excludeContextFile': {
          const text = await this.o.onContextCommand?.(message, this.o.store.active().id);
          if (text) this.post({ type: 'notice', text });
          return;
        }
      }
    } catch (error) {
      this.o.host.logError(`chat: handling '${message.type}' failed`, error);
      this.post({ type: 'error', error: toChatError(error, this.o.getModel().model) });
    }
  }

  /**
   * Sends a request in the active conversation and streams the answer into the panel. A running request
   * is stopped first (one answer streams at a time). Resolves when the answer has ended, however it ended.
   */
  async ask(request: AskRequest): Promise<void> {
    await this.stopAndWait();
    const conversation = this.o.store.active();
    const user: ChatMessage = { id: this.o.newId(), role: 'user', text: request.prompt, status: 'done', createdAt: this.o.now() };
    if (request.title) user.title = request.title;
    if (request.command) user.command = request.command;
    this.o.store.addMessage(conversation.id, user);
    this.requests.set(user.id, request);
    this.post({ type: 'messageAdded', message: user });
    this.postConversations();
    await this.run(conversation.id, user, request);
  }

  /** Stops the running answer, keeping what arrived. Returns false when nothing was running. */
  stop(): boolean {
    if (!this.active) return false;
    this.active.abort.abort();
    return true;
  }

  /** Shows a short notice in the panel (e.g. "waiting 12 s for the token rate limit"). */
  notify(text: string): void {
    this.post({ type: 'notice', text });
  }

  /** The way tokens are counted changed (a model's own tokenizer became ready): the webview counts its text again. */
  recount(): void {
    this.post({ type: 'recount' });
  }

  /** Redraws the panel from the current state: after a settings change (model, window) the header follows. */
  refresh(): void {
    this.post({ type: 'state', state: this.state() });
    // What the server is (the demo server says so) arrives when Ollama answers; a server that does not is silent.
    void this.o.backend.getServerInfo().then((info) => this.post({ type: 'server', version: info.version, demo: info.demo }));
  }

  newConversation(): void {
    this.o.store.create();
    this.post({ type: 'state', state: this.state() });
  }

  /** The whole panel state, as the webview needs it after `ready`. */
  state(): PanelState {
    const conversation = this.o.store.active();
    const { model, limit } = this.o.getModel();
    const streaming = this.active && this.active.conversationId === conversation.id ? this.active : undefined;
    const messages = conversation.messages.map((m) =>
      streaming && m.id === streaming.assistantId ? { ...m, text: streaming.text, thinking: streaming.thinking || undefined, status: 'streaming' as const } : m,
    );
    return {
      model,
      limit,
      conversationId: conversation.id,
      conversationTitle: conversation.title,
      messages,
      conversations: this.o.store.list(),
      conversationTokens: conversationTokens(conversation.messages),
      streamingMessageId: streaming?.assistantId,
      summary: this.summaryViewOf(conversation.id),
    };
  }

  /** A conversation's summary changed (made, undone, dropped): keep it with the conversation, and show it if active. */
  summaryChanged(conversationId: string): void {
    if (!this.o.summaries) return;
    this.o.store.setSummaryState(conversationId, this.o.summaries.stateOf(conversationId));
    if (this.o.store.active().id === conversationId) this.post({ type: 'summary', summary: this.o.summaries.viewOf(conversationId) });
  }

  /** The history of `messages` to send: the summary and the turns after it when one is ready, else the raw turns. */
  private summarizedHistory(conversationId: string, messages: readonly ChatMessage[]): { messages: readonly HistoryMessage[]; notice?: SummarizedNotice } {
    const turns = historyOf(messages);
    if (!this.o.summaries) return { messages: turns };
    this.restoreSummary(conversationId);
    const last = [...messages].reverse().find((m) => m.role === 'user' && m.usage)?.usage?.prompt;
    return this.o.summaries.historyFor(conversationId, turns, last);
  }

  private summaryViewOf(conversationId: string): SummaryView | undefined {
    if (!this.o.summaries) return undefined;
    this.restoreSummary(conversationId);
    return this.o.summaries.viewOf(conversationId);
  }

  /** Reads a conversation's stored summary state back into the summarizer, once per conversation and session. */
  private restoreSummary(conversationId: string): void {
    if (!this.o.summaries || this.restored.has(conversationId)) return;
    this.restored.add(conversationId);
    this.o.summaries.restore(conversationId, this.o.store.get(conversationId)?.summaryState);
  }

  private async run(conversationId: string, user: ChatMessage, request: AskRequest, replaceAssistantId?: string): Promise<void> {
    const store = this.o.store;
    const messages = store.get(conversationId)?.messages ?? [];
    const before = messages.slice(
      0,
      messages.findIndex((m) => m.id === user.id),
    );
    // With a summary ready, the earliest turns go as that summary (never waited for: one being made is not used).
    const summarized = this.summarizedHistory(conversationId, before);
    const history = summarized.messages;
    const systemPrompt = request.systemPrompt ?? this.o.systemPrompt;

    const assistant: ChatMessage = { id: replaceAssistantId ?? this.o.newId(), role: 'assistant', text: '', status: 'streaming', createdAt: this.o.now() };
    if (replaceAssistantId) store.updateMessage(conversationId, replaceAssistantId, { ...assistant, error: undefined });
    else store.addMessage(conversationId, assistant);

    let finish!: () => void;
    const active: ActiveRequest = {
      conversationId,
      assistantId: assistant.id,
      abort: new AbortController(),
      text: '',
      thinking: '',
      done: new Promise<void>((r) => (finish = r)),
      summary: summarized.notice,
    };
    this.active = active;
    try {
      const provided = await this.o.contextFor?.(request, conversationId, active.abort.signal).catch(() => undefined);
      const context = [...(request.context ?? []), ...(provided?.chunks ?? [])];
      // Count first: the sent message shows its meter (and any cut) while the answer streams.
      const info = await this.o.backend.getTokenUsageInfo(request.prompt, context, { history, systemPrompt, command: request.command });
      this.setUsage(conversationId, user.id, { prompt: breakdownFromInfo(info) }, [
        ...(info.notice ? [info.notice] : []),
        ...(active.summary ? [active.summary] : []),
      ]);
      // The answer's context list: what this count would keep, then what the sent request kept.
      assistant.context = reportContext(context, info.droppedChunks, provided?.retrieval);
      store.updateMessage(conversationId, assistant.id, { context: assistant.context });
      this.post({ type: 'messageAdded', message: assistant });
      this.post({ type: 'streamStart', messageId: assistant.id });
      const result = await this.stream(active, assistant, user, request, history, context, systemPrompt);
      this.setContext(conversationId, assistant.id, reportContext(context, result.droppedChunks, provided?.retrieval));
    } catch (error) {
      this.fail(active, error);
    } finally {
      this.active = undefined;
      finish();
      this.post({ type: 'conversationTotal', tokens: conversationTokens(store.get(conversationId)?.messages ?? []) });
      this.postConversations();
    }
  }

  private async stream(
    active: ActiveRequest,
    placeholder: ChatMessage,
    user: ChatMessage,
    request: AskRequest,
    history: readonly HistoryMessage[],
    context: ContextChunk[],
    systemPrompt: string | undefined,
  ): Promise<GenerateResult> {
    // Answer and thinking tokens are batched per timer tick into one post each (the webview draws per frame anyway).
    let pending = '';
    let pendingThinking = '';
    let cancelTimer: (() => void) | undefined;
    const flush = () => {
      cancelTimer = undefined;
      if (pendingThinking) this.post({ type: 'streamThinking', messageId: active.assistantId, text: pendingThinking });
      if (pending) this.post({ type: 'streamTokens', messageId: active.assistantId, text: pending });
      pending = '';
      pendingThinking = '';
    };
    const onToken = (token: string) => {
      active.text += token;
      pending += token;
      cancelTimer ??= this.o.setTimer(flush, this.o.batchMs);
    };
    const onThinking = (token: string) => {
      active.thinking += token;
      pendingThinking += token;
      cancelTimer ??= this.o.setTimer(flush, this.o.batchMs);
    };
    // Streaming broke and one non-streaming request follows: what was shown is void, start the answer afresh.
    const onFallback = (reason: string) => {
      cancelTimer?.();
      cancelTimer = undefined;
      pending = '';
      pendingThinking = '';
      active.text = '';
      active.thinking = '';
      this.post({ type: 'messageAdded', message: placeholder });
      this.post({ type: 'notice', text: `Streaming failed (${reason}); asking again without streaming.` });
    };
    try {
      const result = await this.o.backend.generateResponse(request.prompt, context, {
        history,
        onToken,
        onThinking,
        onFallback,
        signal: active.abort.signal,
        systemPrompt,
        command: request.command,
        conversationId: active.conversationId,
      });
      cancelTimer?.();
      flush();
      const text = result.text || active.text;
      const thinking = result.thinking || active.thinking || undefined;
      const status = result.cancelled || active.abort.signal.aborted ? 'stopped' : 'done';
      const usage = breakdownFromUsage(result.usage);
      this.o.store.updateMessage(active.conversationId, active.assistantId, { text, thinking, status });
      this.post({ type: 'streamEnd', messageId: active.assistantId, status, text, thinking });
      this.setUsage(
        active.conversationId,
        user.id,
        { prompt: usage, completionTokens: result.usage.evalCount, modelPromptTokens: result.usage.promptEvalCount },
        [...result.notices, ...(active.summary ? [active.summary] : [])],
      );
      // Between turns, not on the send path: the summarizer may start summarizing the oldest turns now.
      if (status === 'done') this.o.summaries?.afterTurn(active.conversationId, historyOf(this.o.store.get(active.conversationId)?.messages ?? []), usage);
      return result;
    } finally {
      cancelTimer?.();
      flush();
    }
  }

  private fail(active: ActiveRequest, error: unknown): void {
    const store = this.o.store;
    const cancelled = active.abort.signal.aborted || isCancellation(error);
    const info = cancelled ? undefined : toChatError(error, this.o.getModel().model);
    if (!cancelled) this.o.host.logError('chat: request failed', error);
    const status = cancelled ? 'stopped' : 'error';
    const message = store.updateMessage(active.conversationId, active.assistantId, {
      text: active.text,
      thinking: active.thinking || undefined,
      status,
      error: info,
    });
    // The placeholder may not be on screen yet (the count itself can fail or be stopped): (re)send it whole.
    if (message) this.post({ type: 'messageAdded', message });
    this.post({ type: 'streamEnd', messageId: active.assistantId, status, text: active.text, thinking: active.thinking || undefined });
    if (info) this.post({ type: 'error', messageId: active.assistantId, error: info });
  }

  /** Stores and shows a sent message's usage and notices (the final ones replace the preflight's). */
  /** Stores and shows an answer's context list (chunks sent and cut). */
  private setContext(conversationId: string, messageId: string, context: ContextReport | undefined): void {
    if (!context) return;
    this.o.store.updateMessage(conversationId, messageId, { context });
    this.post({ type: 'context', messageId, context });
  }

  private setUsage(conversationId: string, messageId: string, usage: ChatMessage['usage'], notices: Notice[]): void {
    this.o.store.updateMessage(conversationId, messageId, { usage, notices: notices.length ? notices : undefined });
    if (usage) this.post({ type: 'usage', messageId, usage });
    this.post({ type: 'notices', messageId, notices });
  }

  // A slow count (the backend may be asking Ollama for the model's window) must not pile up one count per
  // keystroke: while one runs, later requests replace each other's text and only the newest is counted next.
  // Every request is still answered: the replaced ones with the newest reading (the webview keeps only the reply
  // to its latest request anyway).
  private measure(text: string): Promise<MeterReading> {
    return new Promise<MeterReading>((resolve, reject) => {
      const waiter = { resolve, reject };
      if (this.nextMeasure) {
        this.nextMeasure.text = text;
        this.nextMeasure.waiters.push(waiter);
      } else this.nextMeasure = { text, waiters: [waiter] };
      this.measuring ??= this.drainMeasures().finally(() => (this.measuring = undefined));
    });
  }

  private async drainMeasures(): Promise<void> {
    for (let job = this.nextMeasure; job; job = this.nextMeasure) {
      this.nextMeasure = undefined;
      try {
        const reading = await this.measureOne(job.text);
        for (const w of job.waiters) w.resolve(reading);
      } catch (error) {
        for (const w of job.waiters) w.reject(error);
      }
    }
  }

  private async measureOne(text: string): Promise<MeterReading> {
    const conversation = this.o.store.active();
    const info = await this.o.backend.getTokenUsageInfo(text, [], {
      history: this.summarizedHistory(conversation.id, conversation.messages).messages,
      systemPrompt: this.o.systemPrompt,
    });
    const breakdown = breakdownFromInfo(info);
    // Nothing typed is nothing sent: the meter shows the rest of the next prompt, and warns about nothing yet.
    if (text.trim() === '') return { breakdown: { ...breakdown, user: 0, used: breakdown.used - breakdown.user }, windowSource: info.windowSource };
    return { breakdown, windowSource: info.windowSource, notice: info.notice };
  }

  /** The installed models, the current one marked; a current model the server lacks is listed with its pull command. */
  private async listModels(): Promise<ModelChoice[]> {
    const current = this.o.getModel().model;
    const models = await this.o.backend.listModels();
    const choices: ModelChoice[] = models.map((m) => ({
      name: m.name,
      trainedContext: m.trainedContext,
      parameterSize: m.parameterSize,
      quantization: m.quantization,
      size: m.size,
      current: sameModel(m.name, current),
      installed: true,
    }));
    if (!choices.some((c) => c.current)) choices.unshift({ name: current, current: true, installed: false, pullCommand: `ollama pull ${current}` });
    return choices;
  }

  private async action(action: ChatAction, messageId: string | undefined): Promise<void> {
    switch (action) {
      case 'openSettings':
        return this.o.host.openSettings();
      case 'openLog':
        return this.o.host.openLog();
      case 'newConversation':
        return this.newConversation();
      case 'copyPullCommand': {
        const carried = messageId ? this.findMessage(messageId)?.message.error?.pullCommand : undefined;
        const command = carried ?? `ollama pull ${this.o.getModel().model}`;
        await this.o.host.copyText(command);
        this.post({ type: 'notice', text: `Copied: ${command}` });
        return;
      }
      case 'retry':
        return this.retry(messageId);
    }
  }

  /** Sends the question of a failed (or stopped) answer again, replacing that answer in place. */
  private async retry(messageId: string | undefined): Promise<void> {
    await this.stopAndWait();
    const found = messageId ? this.findMessage(messageId) : undefined;
    if (!found) return;
    const { conversationId, index, messages } = found;
    const answer = messages[index];
    const question = answer.role === 'assistant' ? messages[index - 1] : answer;
    if (!question || question.role !== 'user') return;
    const request = this.requests.get(question.id) ?? { prompt: question.text, title: question.title, command: question.command };
    this.o.store.updateMessage(conversationId, question.id, { notices: undefined });
    await this.run(conversationId, question, request, answer.role === 'assistant' ? answer.id : undefined);
  }

  private findMessage(messageId: string): { conversationId: string; index: number; messages: ChatMessage[]; message: ChatMessage } | undefined {
    const conversation = this.o.store.active();
    const index = conversation.messages.findIndex((m) => m.id === messageId);
    if (index < 0) return undefined;
    return { conversationId: conversation.id, index, messages: conversation.messages, message: conversation.messages[index] };
  }

  private async stopAndWait(): Promise<void> {
    const running = this.active;
    if (!running) return;
    running.abort.abort();
    await running.done;
  }

  private postConversations(): void {
    this.post({ type: 'conversations', conversations: this.o.store.list(), activeId: this.o.store.active().id });
  }

  private post(message: HostToWebview): void {
    if (this.port && this.ready) this.port.post(message);
  }
}
