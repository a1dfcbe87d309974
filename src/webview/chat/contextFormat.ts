// The words of an answer's context list, written once here: no DOM, so it unit-tests in plain Node.
import type { ContextEntry, ContextReport, RetrievalMode } from '../../protocol/context';
import { formatCount } from '../../shared/format';

const MODE_WORDS: Record<RetrievalMode, string | undefined> = {
  semantic: 'semantic + lexical search',
  lexical: 'lexical search only',
  off: 'workspace retrieval is off',
  unavailable: 'workspace retrieval unavailable',
  'not-used': undefined,
};

/** Entries that went into the prompt (whole or cut short), and those left out. */
export function splitEntries(report: ContextReport): { went: ContextEntry[]; cut: ContextEntry[] } {
  return { went: report.entries.filter((e) => e.status !== 'dropped'), cut: report.entries.filter((e) => e.status === 'dropped') };
}

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

/** "Context: 5 chunks from 3 files · 2 cut · lexical search only". */
export function contextSummary(report: ContextReport): string {
  const { went, cut } = splitEntries(report);
  const files = new Set(went.map((e) => e.location?.file ?? e.label)).size;
  const parts = [went.length ? `${plural(went.length, 'chunk')} from ${plural(files, 'file')}` : 'no code'];
  const partial = went.filter((e) => e.status === 'cut').length;
  if (cut.length || partial)
    parts.push(partial ? `${formatCount(cut.length + partial)} cut (${formatCount(partial)} in part)` : `${formatCount(cut.length)} cut`);
  const mode = MODE_WORDS[report.retrieval];
  if (mode) parts.push(mode);
  return `Context: ${parts.join(' · ')}`;
}

/** What the list says when nothing went in: why. */
export function emptyReason(report: ContextReport): string {
  switch (report.retrieval) {
    case 'off':
      return 'Workspace retrieval is off (therapist.retrieval.enabled): only the code a command brings is sent.';
    case 'unavailable':
      return 'The workspace index could not be asked.';
    case 'not-used':
      return 'No code context was sent.';
    default:
      return report.entries.length ? 'Nothing fitted: every chunk was cut.' : 'No code in the workspace index matched this question.';
  }
}

/** The fused score as shown: three decimals (reciprocal-rank scores are small: first in one list = 1/61 = 0.016). */
export function scoreText(score: number): string {
  return score.toFixed(3);
}

/** Why an entry ranks where it does, for its tooltip: "lexical #1 + vector #4 (cosine 0.81) + near the selection". */
export function scoreReasons(entry: ContextEntry): string {
  const p = entry.parts;
  if (!p) return entry.origin === 'pinned' ? 'pinned for this conversation' : '';
  const out: string[] = [];
  if (p.lexicalRank !== undefined) out.push(`lexical #${p.lexicalRank}`);
  if (p.vectorRank !== undefined) out.push(`vector #${p.vectorRank}${p.vectorScore !== undefined ? ` (cosine ${p.vectorScore.toFixed(2)})` : ''}`);
  if (p.selection > 0) out.push('near the selection');
  if (p.recent > 0) out.push('recently edited');
  const why = out.length ? out.join(' + ') : 'in the file of the selection';
  return entry.origin === 'pinned' ? `pinned for this conversation; ${why}` : why;
}

const ORIGIN_WORDS: Record<ContextEntry['origin'], string> = {
  retrieved: 'retrieved',
  pinned: 'pinned',
  definition: 'definition',
  selection: 'around the selection',
  editor: 'open editor',
  other: 'context',
};

/** How the chunk got in, in a word or two. */
export function originText(entry: ContextEntry): string {
  return ORIGIN_WORDS[entry.origin];
}

/** For chunks cut short or left out: "kept 120 of 384 tokens", "384 tokens". */
export function cutText(entry: ContextEntry): string | undefined {
  if (entry.status === 'sent' || entry.tokens === undefined) return undefined;
  return entry.status === 'cut' ? `kept ${formatCount(entry.keptTokens ?? 0)} of ${formatCount(entry.tokens)} tokens` : `${formatCount(entry.tokens)} tokens`;
}
