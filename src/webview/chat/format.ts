// Pure formatting for the chat panel: no DOM, so it unit-tests in plain Node (test/unit/webview/chat/).
// Section words and token formatters are shared (src/shared/), so the panel, the dashboard and the log agree.
import type { TokenBreakdown } from '../../protocol/chat';
import { formatCount, formatTokens } from '../../shared/format';
import type { TruncatedNotice } from '../../shared/notices';
import { METER_ORDER, SECTION_LABELS, sectionList, type MeterSection } from '../../shared/vocabulary';

/**
 * Splits plain text on `backticks` into text and code parts, so error advice such as "Run `ollama pull x`"
 * can show the command as code without any HTML. An unpaired backtick stays text.
 */
export function splitInlineCode(text: string): { text: string; code: boolean }[] {
  const parts: { text: string; code: boolean }[] = [];
  const pattern = /`([^`\n]+)`/g;
  let last = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m.index > last) parts.push({ text: text.slice(last, m.index), code: false });
    parts.push({ text: m[1], code: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), code: false });
  return parts;
}

export interface MeterSegment {
  section: MeterSection;
  label: string;
  tokens: number;
  /** Share of the window, 0..1, for the bar width. */
  fraction: number;
}

/** The bar's segments in drawing order. Fractions never add up to more than 1, even for an over-full prompt. */
export function meterSegments(b: TokenBreakdown): MeterSegment[] {
  const limit = Math.max(1, b.limit);
  const total = METER_ORDER.reduce((sum, s) => sum + Math.max(0, b[s]), 0);
  const scale = total > limit ? limit / total : 1;
  return METER_ORDER.map((section) => ({
    section,
    label: SECTION_LABELS[section],
    tokens: b[section],
    fraction: (Math.max(0, b[section]) * scale) / limit,
  }));
}

export type MeterLevel = 'ok' | 'warn' | 'over';

/** How full the window is, counting the answer's reserve: warn from 80%, over when it does not fit. */
export function meterLevel(b: TokenBreakdown): MeterLevel {
  const needed = b.used + b.reserved;
  if (needed > b.limit) return 'over';
  return needed >= 0.8 * b.limit ? 'warn' : 'ok';
}

/** "1,234 / 8,192 tokens": prompt tokens against the window. */
export function meterSummary(b: TokenBreakdown): string {
  return `${formatCount(b.used)} / ${formatCount(b.limit)} tokens`;
}

/** The per-section split as one line, e.g. "system 120 · your message 15 · … · reserved for answer 819". */
export function meterSplitText(b: TokenBreakdown): string {
  return METER_ORDER.map((s) => `${SECTION_LABELS[s]} ${formatCount(b[s])}`).join(' · ');
}

/** Accessible description of a meter, read by screen readers instead of the bar. */
export function meterAriaLabel(b: TokenBreakdown): string {
  return `${meterSummary(b)}${b.estimated ? ' (estimate)' : ''}: ${meterSplitText(b)}`;
}

/** The facts of a cut, as short lines in the order the notice shows them. */
export function truncationDetails(notice: TruncatedNotice): string[] {
  const lines: string[] = [];
  if (notice.sections.length) lines.push(`Cut: ${sectionList(notice.sections)}`);
  if (notice.tokensCut !== undefined) lines.push(`Tokens cut: ${formatCount(notice.tokensCut)}`);
  if (notice.droppedMessages > 0)
    lines.push(`Dropped: the ${notice.droppedMessages === 1 ? 'oldest message' : `${notice.droppedMessages} oldest messages`} of the conversation`);
  for (const chunk of notice.droppedChunks) {
    const tokens = chunk.tokens !== undefined ? ` (${formatCount(chunk.tokens)} tokens)` : '';
    lines.push(`${chunk.partial ? 'Partly dropped' : 'Dropped'}: ${chunk.source}${tokens}`);
  }
  return lines;
}

/** Header text for the conversation's running total: what all its requests used, not what the next one sends. */
export function conversationTotalText(tokens: number): string {
  return `${formatTokens(tokens)} tokens used in this conversation`;
}

/** How full the next request would be: its prompt plus the answer's reserve, as a share of the effective window. */
export function nextPromptText(b: TokenBreakdown): string {
  return `next prompt ${Math.round(((b.used + b.reserved) / Math.max(1, b.limit)) * 100)}% of the window`;
}

/**
 * What sending now would drop, in the user's terms: "the first 5 turns, including your first request",
 * "2 code chunks", "part of your message". The oldest messages go first, so any dropped history includes the first request.
 */
export function dropSummary(notice: TruncatedNotice): string {
  const drops: string[] = [];
  const cuts: string[] = [];
  if (notice.droppedMessages > 0) {
    const turns = Math.ceil(notice.droppedMessages / 2);
    drops.push(turns === 1 ? 'the first turn (your first request)' : `the first ${turns} turns, including your first request`);
  } else if (notice.sections.includes('history')) drops.push('older conversation history');
  if (notice.sections.includes('context')) {
    const n = notice.droppedChunks.length;
    drops.push(n > 0 ? `${n} code ${n === 1 ? 'chunk' : 'chunks'}` : 'code context');
  }
  if (notice.sections.includes('user')) cuts.push('the middle of your message (its start and end are kept)');
  if (notice.sections.includes('system')) cuts.push('part of the system prompt');
  const parts: string[] = [];
  if (drops.length) parts.push(`drops ${joinWords(drops)}`);
  if (cuts.length) parts.push(`cuts ${joinWords(cuts)}`);
  return `Too long for the window: sending this ${parts.join(' and ')}.`;
}

function joinWords(items: string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * Where a streaming markdown text can be split so that everything before it is complete blocks that will
 * not change: the end of the last blank line outside a fenced code block. Returns 0 when there is none.
 * Rendering the part before the split once and re-rendering only the rest keeps each frame's work small.
 */
export function stableSplit(text: string): number {
  let fence: { char: string; length: number } | undefined;
  let boundary = 0;
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    if (end < 0) break; // the last line is still arriving
    const line = text.slice(start, end);
    const match = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (match && match[1][0] === fence.char && match[1].length >= fence.length && line.trim() === match[1]) fence = undefined;
    } else if (match) {
      fence = { char: match[1][0], length: match[1].length };
    } else if (line.trim() === '' && start > 0) {
      const next = text.indexOf('\n', end + 1);
      // Only when the next line is complete and starts at the margin: an indented line may continue a list.
      if (next >= 0 && !/^\s/.test(text.slice(end + 1, next))) boundary = end + 1;
    }
    start = end + 1;
  }
  return boundary;
}
