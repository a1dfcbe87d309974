import { randomUUID } from 'node:crypto';
import type { ChatMessage, ConversationSummary } from '../../protocol/chat';
import { currentMessage } from './storedMessages';

/** The part of VS Code's `Memento` (workspaceState) the store uses; a Map-backed fake works in tests. */
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  messages: ChatMessage[];
  /** The summarizer's state for this conversation (core/conversation SummaryStateJSON), kept beside the turns it summarizes. */
  summaryState?: unknown;
}

interface StoredIndex {
  version: 1;
  activeId?: string;
  conversations: ConversationSummary[];
}

export interface ConversationStoreOptions {
  now?: () => number;
  newId?: () => string;
  /** Older conversations beyond this many are deleted from storage. */
  maxConversations?: number;
}

const INDEX_KEY = 'therapist.chat.index';
const conversationKey = (id: string) => `therapist.chat.conversation.${id}`;
const UNTITLED = 'New conversation';
const TITLE_CHARS = 60;

/**
 * Conversations of this workspace, persisted so they survive a reload. One storage key per conversation
 * plus a small index, so finishing an answer rewrites one conversation, not all of them. Writes are
 * made at message boundaries (never per token); `flush()` waits for them.
 */
export class ConversationStore {
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly maxConversations: number;
  private readonly index: StoredIndex;
  private readonly loaded = new Map<string, Conversation>();
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly memento: MementoLike,
    options: ConversationStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUUID;
    this.maxConversations = Math.max(1, options.maxConversations ?? 30);
    const stored = memento.get<StoredIndex>(INDEX_KEY);
    this.index =
      stored && stored.version === 1 && Array.isArray(stored.conversations)
        ? { version: 1, activeId: stored.activeId, conversations: stored.conversations.slice() }
        : { version: 1, conversations: [] };
  }

  /** The active conversation; creates an empty one when there is none (first run, or its data is gone). */
  active(): Conversation {
    const id = this.index.activeId;
    const found = id ? this.get(id) : undefined;
    if (found) return found;
    return this.create();
  }

  /** A conversation by id, loaded from storage on first use. */
  get(id: string): Conversation | undefined {
    const cached = this.loaded.get(id);
    if (cached) return cached;
    if (!this.index.conversations.some((c) => c.id === id)) return undefined;
    const stored = this.memento.get<Conversation>(conversationKey(id));
    if (!stored || !Array.isArray(stored.messages)) return undefined;
    const messages = stored.messages.map(currentMessage);
    const conversation = { ...stored, messages };
    this.loaded.set(id, conversation);
    return conversation;
  }

  /** Newest first. */
  list(): ConversationSummary[] {
    return this.index.conversations.slice().sort((a, b) => b.updatedAt - a.updatedAt);
  }

  get activeId(): string | undefined {
    return this.index.activeId;
  }

  /** Starts a new, empty conversation and makes it active. An already empty active conversation is reused. */
  create(): Conversation {
    const current = this.index.activeId ? this.get(this.index.activeId) : undefined;
    if (current && current.messages.length === 0) return current;
    const time = this.now();
    const conversation: Conversation = { id: this.newId(), title: UNTITLED, createdAt: time, updatedAt: time, messages: [] };
    this.loaded.set(conversation.id, conversation);
    this.index.conversations.push(summarize(conversation));
    this.index.activeId = conversation.id;
    this.prune();
    this.persist(conversation);
    return conversation;
  }

  /** Makes an existing conversation active. Returns undefined when it does not exist. */
  setActive(id: string): Conversation | undefined {
    const conversation = this.get(id);
    if (!conversation) return undefined;
    this.index.activeId = id;
    this.writeIndex();
    return conversation;
  }

  addMessage(conversationId: string, message: ChatMessage): void {
    const conversation = this.require(conversationId);
    conversation.messages.push(message);
    if (conversation.title === UNTITLED && message.role === 'user') conversation.title = titleOf(message);
    this.touch(conversation);
  }

  /** Merges `patch` into a message and persists the conversation. */
  updateMessage(conversationId: string, messageId: string, patch: Partial<ChatMessage>): ChatMessage | undefined {
    const conversation = this.require(conversationId);
    const i = conversation.messages.findIndex((m) => m.id === messageId);
    if (i < 0) return undefined;
    const next = { ...conversation.messages[i], ...patch, id: messageId };
    conversation.messages[i] = next;
    this.touch(conversation);
    return next;
  }

  /** Keeps the conversation's summary state (undefined removes it); the messages themselves are never changed by it. */
  setSummaryState(conversationId: string, state: unknown): void {
    const conversation = this.get(conversationId);
    if (!conversation) return;
    conversation.summaryState = state;
    this.persist(conversation);
  }

  /** Waits until every write so far has reached the memento. */
  flush(): Promise<void> {
    return this.pending.then(() => undefined);
  }

  private require(id: string): Conversation {
    const conversation = this.get(id);
    if (!conversation) throw new Error(`Unknown conversation ${id}`);
    return conversation;
  }

  private touch(conversation: Conversation): void {
    conversation.updatedAt = this.now();
    const i = this.index.conversations.findIndex((c) => c.id === conversation.id);
    if (i >= 0) this.index.conversations[i] = summarize(conversation);
    this.persist(conversation);
  }

  private prune(): void {
    const keep = this.list().slice(0, this.maxConversations);
    const gone = this.index.conversations.filter((c) => !keep.includes(c));
    for (const c of gone) {
      this.loaded.delete(c.id);
      this.enqueue(() => this.memento.update(conversationKey(c.id), undefined));
    }
    this.index.conversations = this.index.conversations.filter((c) => keep.includes(c));
  }

  private persist(conversation: Conversation): void {
    const snapshot = JSON.parse(JSON.stringify(conversation)) as Conversation;
    this.enqueue(() => this.memento.update(conversationKey(conversation.id), snapshot));
    this.writeIndex();
  }

  private writeIndex(): void {
    const snapshot: StoredIndex = { version: 1, activeId: this.index.activeId, conversations: this.index.conversations.map((c) => ({ ...c })) };
    this.enqueue(() => this.memento.update(INDEX_KEY, snapshot));
  }

  // Writes go out in order, so a slow earlier write never overwrites a later one.
  private enqueue(write: () => PromiseLike<void>): void {
    this.pending = this.pending.then(write, write);
  }
}

/** Tokens a conversation has used: each request's prompt (the model's count when known) plus its answer. */
export function conversationTokens(messages: readonly ChatMessage[]): number {
  let total = 0;
  for (const m of messages) {
    if (!m.usage) continue;
    total += (m.usage.modelPromptTokens ?? m.usage.prompt.used) + (m.usage.completionTokens ?? 0);
  }
  return total;
}

function summarize(c: Conversation): ConversationSummary {
  return { id: c.id, title: c.title, updatedAt: c.updatedAt, messageCount: c.messages.length, totalTokens: conversationTokens(c.messages) };
}

function titleOf(message: ChatMessage): string {
  const source = (message.title ?? message.text).replace(/\s+/g, ' ').trim();
  if (!source) return UNTITLED;
  return source.length > TITLE_CHARS ? `${source.slice(0, TITLE_CHARS - 1)}…` : source;
}
