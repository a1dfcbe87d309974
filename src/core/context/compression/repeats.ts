// Blocks pasted twice: the same 40 lines in an old message and in a chunk, or a file pasted in two questions.
// A block of at least MIN_REPEAT_LINES lines repeated verbatim is kept in the text that survives cutting longest
// (the user's message, the system prompt, then the newest history message, then the most relevant chunk) and
// replaced elsewhere by a one-line marker naming where it is.
import { layoutOf } from './layout';
import { chunkLabel } from './overlap';
import { layoutOfPiece } from './shape';
import { itemOf, referenceKey, reportOf, type Measure, type Piece, type Reference, type StepItem, type StepResult } from './types';

/** A repeated block must have at least this many lines... */
export const MIN_REPEAT_LINES = 6;
/** ... and this many non-whitespace characters. */
export const MIN_REPEAT_CHARS = 80;

/** The texts that are never changed but may hold a block others refer to. */
export interface Anchors {
  systemPrompt?: string;
  userInput?: string;
}

interface Holder {
  id: string;
  piece?: Piece;
  lines: string[];
  /** Interned line ids; envelope lines (fences, headers) get ids of their own so no block spans them. */
  ids: number[];
  /** Order in the prompt as sent: system, history oldest first, context in the caller's order, user. */
  position: number;
}

const nonSpace = (lines: readonly string[]) => lines.reduce((a, l) => a + l.replace(/\s+/g, '').length, 0);

/** Where a marker says the block is. */
function label(target: Holder, from: Holder): string {
  if (target.id === 'user') return "the user's message below";
  if (target.id === 'system') return 'the system prompt above';
  const p = target.piece!;
  const dir = target.position < from.position ? 'above' : 'below';
  if (p.section === 'history') return `${dir === 'above' ? 'an earlier' : 'a later'} ${p.role ?? 'chat'} message`;
  return `${chunkLabel(p)} ${dir}`;
}

const MARKER = /^[ \t]*\[same \d+ lines as in .*\]\r?$/;

/** The marker that replaces a repeated block. */
export function repeatMarker(indent: string, lines: number, where: string): string {
  return `${indent}[same ${lines} lines as in ${where}]`;
}

/**
 * Replaces every block of >= MIN_REPEAT_LINES lines that another text already holds by a marker (lossless:
 * the block is sent once). `pieces` may mix context and history; `exclude` holds reference keys not to make.
 */
export function dedupeRepeats(pieces: readonly Piece[], measure: Measure, anchors: Anchors = {}, exclude: ReadonlySet<string> = new Set()): StepResult {
  const interned = new Map<string, number>();
  let unique = -1;
  const holderOf = (id: string, text: string, piece: Piece | undefined, position: number): Holder => {
    const layout = piece ? layoutOfPiece(piece) : layoutOf(text, { chat: true });
    const envelope = new Set<number>();
    for (const s of layout.segments) if (s.envelope) for (let i = s.start; i < s.end; i++) envelope.add(i);
    // Envelope lines and markers match nothing, so no block spans a fence or a reference.
    const ids = layout.lines.map((l, i) => {
      if (envelope.has(i) || MARKER.test(l)) return unique--;
      let lineId = interned.get(l);
      if (lineId === undefined) interned.set(l, (lineId = interned.size));
      return lineId;
    });
    return { id, piece, lines: layout.lines, ids, position };
  };
  const history = pieces.filter((p) => p.section === 'history').sort((a, b) => a.rank - b.rank);
  const context = pieces.filter((p) => p.section === 'context').sort((a, b) => a.rank - b.rank);
  const maxHistory = pieces.reduce((m, p) => (p.section === 'history' ? Math.max(m, p.index) : m), -1);
  const positionOf = (p: Piece) => (p.section === 'history' ? 1 + p.index : 2 + maxHistory + p.index);
  const holders: Holder[] = [];
  if (anchors.userInput) holders.push(holderOf('user', anchors.userInput, undefined, Number.MAX_SAFE_INTEGER));
  if (anchors.systemPrompt) holders.push(holderOf('system', anchors.systemPrompt, undefined, 0));
  for (const p of [...history, ...context]) holders.push(holderOf(p.id, p.text, p, positionOf(p)));

  // Windows of MIN_REPEAT_LINES line ids, by a hash of the ids (verified on lookup): the first holder of a window wins.
  const windows = new Map<number, Array<{ holder: Holder; line: number }>>();
  const hashAt = (ids: readonly number[], i: number) => {
    let h = 0;
    for (let k = 0; k < MIN_REPEAT_LINES; k++) h = (Math.imul(h, 1_000_003) + ids[i + k]) | 0;
    return h;
  };
  const same = (a: readonly number[], i: number, b: readonly number[], j: number) => {
    for (let k = 0; k < MIN_REPEAT_LINES; k++) if (a[i + k] !== b[j + k]) return false;
    return true;
  };
  const find = (ids: readonly number[], i: number) => windows.get(hashAt(ids, i))?.find((w) => same(ids, i, w.holder.ids, w.line));
  const items: StepItem[] = [];
  const references: Reference[] = [];
  const changed = new Map<string, Piece>();
  for (const h of holders) {
    const n = h.lines.length;
    if (h.piece) {
      const out: string[] = [];
      const refs: Reference[] = [];
      let replacedLines = 0;
      let i = 0;
      while (i < n) {
        const hit = i + MIN_REPEAT_LINES <= n ? find(h.ids, i) : undefined;
        if (hit && !exclude.has(referenceKey(h.id, hit.holder.id))) {
          let m = MIN_REPEAT_LINES;
          const t = hit.holder;
          while (i + m < n && hit.line + m < t.lines.length && h.ids[i + m] === t.ids[hit.line + m]) m++;
          // A block neither starts nor ends with a blank line: those stay, so the marker sits where the code was.
          while (m > 0 && h.lines[i + m - 1].trim().length === 0) m--;
          const block = h.lines.slice(i, i + m);
          if (m >= MIN_REPEAT_LINES && h.lines[i].trim().length > 0 && nonSpace(block) >= MIN_REPEAT_CHARS) {
            const cr = block[m - 1].endsWith('\r') ? '\r' : '';
            const marker = repeatMarker(/^[ \t]*/.exec(block[0])![0], m, label(t, h)) + cr;
            out.push(marker);
            refs.push({ from: h.id, to: t.id, text: block.join('\n'), marker });
            replacedLines += m;
            i += m;
            continue;
          }
        }
        out.push(h.lines[i]);
        i++;
      }
      if (refs.length > 0) {
        const text = out.join('\n');
        const before = measure(h.piece.text);
        const after = measure(text);
        if (after < before) {
          items.push(itemOf(h.piece, before, after, replacedLines, { into: [...new Set(refs.map((r) => r.to))].join(',') }));
          references.push(...refs);
          const next = { ...h.piece, text };
          changed.set(h.id, next);
          // Only the lines still sent may hold a block for texts further down the order.
          const fresh = holderOf(h.id, text, next, h.position);
          h.lines = fresh.lines;
          h.ids = fresh.ids;
        }
      }
    }
    for (let i = 0; i + MIN_REPEAT_LINES <= h.lines.length; i++) {
      if (find(h.ids, i)) continue;
      const k = hashAt(h.ids, i);
      const list = windows.get(k);
      if (list) list.push({ holder: h, line: i });
      else windows.set(k, [{ holder: h, line: i }]);
    }
  }
  const out = pieces.map((p) => changed.get(p.id) ?? p);
  return { pieces: out, report: reportOf('dedupeRepeats', items), references };
}
