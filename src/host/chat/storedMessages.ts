// Conversations are persisted in workspace storage and outlive versions of Therapist. Messages stored before notices
// were typed carried `truncation`, `serverTruncation`, `notes` and `fallbackUsed`; they are read back as notices so
// nothing a user was told is lost. A stream cannot outlive the extension host that ran it: after a reload it is over.
import type { ChatMessage } from '../../protocol/chat';
import type { Notice } from '../../shared/notices';
import { isPromptSection } from '../../shared/vocabulary';

/** The fields of a message as an older version stored them. */
interface LegacyFields {
  truncation?: { sections?: unknown[]; tokensCut?: number; droppedChunks?: { source: string; tokens?: number; partial?: boolean }[] };
  serverTruncation?: { sentTokens?: number; evaluatedTokens?: number };
  notes?: string[];
  fallbackUsed?: boolean;
}

const LEGACY_LABELS: Record<string, string> = {
  'context chunks': 'context',
  'conversation history': 'history',
  'user input': 'user',
  'system prompt': 'system',
};

/** A message as stored by any version, made current. */
export function currentMessage(stored: ChatMessage & LegacyFields): ChatMessage {
  const { truncation, serverTruncation, notes, fallbackUsed, ...message } = stored;
  const status = message.status === 'streaming' ? 'stopped' : message.status;
  const notices: Notice[] = [...(message.notices ?? [])];
  if (truncation) {
    const sections = (truncation.sections ?? []).map((s) => (typeof s === 'string' ? (LEGACY_LABELS[s] ?? s) : s)).filter(isPromptSection);
    notices.push({
      kind: 'truncated',
      sections,
      tokensCut: truncation.tokensCut,
      droppedChunks: truncation.droppedChunks ?? [],
      droppedMessages: 0,
      window: message.usage?.prompt.limit ?? 0,
    });
  }
  if (serverTruncation) {
    const sent = serverTruncation.sentTokens ?? 0;
    notices.push({
      kind: 'serverCut',
      sentTokens: sent,
      evaluatedTokens: serverTruncation.evaluatedTokens,
      expectedTokens: sent,
      numCtx: message.usage?.prompt.limit ?? 0,
    });
  }
  if (fallbackUsed) notices.push({ kind: 'fallback', reason: 'the stream broke' });
  // Older free-text notes were near-quota shrinks or re-plans; they survive as what they said.
  for (const note of notes ?? []) notices.push({ kind: 'stored', text: note });
  const changed = status !== stored.status || notices.length !== (message.notices?.length ?? 0);
  if (!changed && !truncation && !serverTruncation && !notes && fallbackUsed === undefined) return stored;
  return { ...message, status, notices: notices.length ? notices : undefined };
}
