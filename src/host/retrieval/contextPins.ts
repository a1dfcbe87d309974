// Files the user pinned (always in the context) or excluded (never retrieved) for one conversation, kept in the
// workspace's storage so they survive a reload like the conversation itself. A file is pinned or excluded, never
// both: the newer choice wins.
import type { MementoLike } from '../chat/conversationStore';
import { normalisePath } from '../../core/context/retrieval';

interface ConversationPins {
  pinned: string[];
  excluded: string[];
}

const KEY = 'therapist.retrieval.pins';
/** Conversations remembered at most (the store keeps 30; older pins go with them). */
const MAX_CONVERSATIONS = 100;

export class ContextPins {
  private readonly byConversation: Map<string, ConversationPins>;

  constructor(private readonly memento: MementoLike) {
    const stored = memento.get<Record<string, ConversationPins>>(KEY);
    this.byConversation = new Map(
      Object.entries(stored && typeof stored === 'object' ? stored : {}).filter(([, v]) => Array.isArray(v?.pinned) && Array.isArray(v?.excluded)),
    );
  }

  pinned(conversationId: string): string[] {
    return [...(this.byConversation.get(conversationId)?.pinned ?? [])];
  }

  excluded(conversationId: string): string[] {
    return [...(this.byConversation.get(conversationId)?.excluded ?? [])];
  }

  /** True when `file` or a folder above it is excluded in the conversation. */
  isExcluded(conversationId: string, file: string): boolean {
    return this.excluded(conversationId).some((x) => file === x || file.startsWith(`${x}/`));
  }

  /** Pins (or unpins) a file; pinning takes it off the excluded list. */
  setPinned(conversationId: string, file: string, pinned: boolean): Promise<void> {
    return this.change(conversationId, normalisePath(file), 'pinned', pinned);
  }

  /** Excludes (or includes again) a file or folder; excluding unpins it. */
  setExcluded(conversationId: string, file: string, excluded: boolean): Promise<void> {
    return this.change(conversationId, normalisePath(file), 'excluded', excluded);
  }

  private async change(conversationId: string, file: string, list: keyof ConversationPins, on: boolean): Promise<void> {
    const current = this.byConversation.get(conversationId) ?? { pinned: [], excluded: [] };
    const without = (files: string[]) => files.filter((f) => f !== file);
    const next: ConversationPins = { pinned: without(current.pinned), excluded: without(current.excluded) };
    if (on) next[list].push(file);
    // Unpinning leaves the excluded list alone (and the other way round).
    else next[list === 'pinned' ? 'excluded' : 'pinned'] = [...current[list === 'pinned' ? 'excluded' : 'pinned']];
    this.byConversation.delete(conversationId);
    if (next.pinned.length || next.excluded.length) this.byConversation.set(conversationId, next);
    while (this.byConversation.size > MAX_CONVERSATIONS) this.byConversation.delete(this.byConversation.keys().next().value!);
    await this.memento.update(KEY, Object.fromEntries(this.byConversation));
  }
}
