// The lossless whitespace steps. Trailing spaces and tabs, and blank lines beyond one in a row, carry nothing in
// code, except inside literals (a template, a triple-quoted string, a YAML block scalar) and in Markdown's
// hard line breaks; the layout's line facts say where those are. Indentation is never touched.
import { factsOfPiece, layoutOfPiece } from './shape';
import { itemOf, reportOf, type Measure, type Piece, type StepItem, type StepResult } from './types';

const TRAILING = /[ \t]+(\r?)$/;
const isBlank = (line: string) => /^[ \t]*\r?$/.test(line);

/** The lines of a text with trailing whitespace removed where it is not content; and how many lines changed. */
export function trimLines(lines: readonly string[], canTrim: (i: number) => boolean): { lines: string[]; changed: number } {
  let changed = 0;
  const out = lines.map((line, i) => {
    if (!canTrim(i) || !TRAILING.test(line)) return line;
    changed++;
    return line.replace(TRAILING, '$1');
  });
  return { lines: out, changed };
}

/** The lines of a text with each run of removable blank lines cut to one; and how many lines went. */
export function collapseLines(lines: readonly string[], removable: (i: number) => boolean): { lines: string[]; removed: number } {
  const out: string[] = [];
  let removed = 0;
  let prevBlank = false;
  // The empty string after a final newline is the end of the text, not a blank line.
  const last = lines.length > 1 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  lines.forEach((line, i) => {
    const blank = i < last && isBlank(line);
    if (blank && prevBlank && removable(i)) {
      removed++;
      return;
    }
    out.push(line);
    prevBlank = blank;
  });
  return { lines: out, removed };
}

/** Applies a line transformation to every piece, keeping a change only when it saves tokens. */
function eachPiece(
  pieces: readonly Piece[],
  measure: Measure,
  change: (piece: Piece) => { text: string; lines: number } | undefined,
): { pieces: Piece[]; items: StepItem[] } {
  const items: StepItem[] = [];
  const out = pieces.map((piece) => {
    const next = change(piece);
    if (!next || next.text === piece.text) return piece;
    const before = measure(piece.text);
    const after = measure(next.text);
    if (after >= before) return piece;
    items.push(itemOf(piece, before, after, next.lines));
    return { ...piece, text: next.text };
  });
  return { pieces: out, items };
}

/** Removes trailing spaces and tabs from every line whose end is not inside a literal (lossless). */
export function trimTrailingWhitespace(pieces: readonly Piece[], measure: Measure): StepResult {
  const { pieces: out, items } = eachPiece(pieces, measure, (piece) => {
    const layout = layoutOfPiece(piece);
    const facts = factsOfPiece(piece);
    // A blank line inside a literal is content as a whole, its spaces included.
    const r = trimLines(layout.lines, (i) => !facts[i].endInside && !(facts[i].startInside && isBlank(layout.lines[i])));
    return { text: r.lines.join('\n'), lines: r.changed };
  });
  return { pieces: out, report: reportOf('trimTrailingWhitespace', items), references: [] };
}

/** Cuts every run of blank lines outside literals to a single blank line (lossless). */
export function collapseBlankRuns(pieces: readonly Piece[], measure: Measure): StepResult {
  const { pieces: out, items } = eachPiece(pieces, measure, (piece) => {
    const layout = layoutOfPiece(piece);
    const facts = factsOfPiece(piece);
    const r = collapseLines(layout.lines, (i) => !facts[i].startInside && !facts[i].endInside);
    return { text: r.lines.join('\n'), lines: r.removed };
  });
  return { pieces: out, report: reportOf('collapseBlankRuns', items), references: [] };
}
