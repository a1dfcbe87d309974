// Lossy, last: comments go, except the ones that change what the code means to a tool (`#!`, `// @ts-ignore`,
// `# type: ignore`, `//go:build`, ...). The scanner says where comments are; inside strings there are none, and a
// fragment whose start is unknown keeps all of them.
import { factsOfPiece, layoutOfPiece } from './shape';
import { collapseLines } from './whitespace';
import { itemOf, reportOf, type Measure, type Piece, type StepItem, type StepResult } from './types';

// Comments that are instructions to a compiler, linter or interpreter.
const DIRECTIVE =
  /^(#!|\/\/\s*@ts-|\/\/\/\s*<reference|\/\/go:|\/\/\s*(eslint|prettier|istanbul|c8|biome|jshint|tslint)\b|\/\*\s*(eslint|prettier|istanbul|c8|webpack|@vite|jshint|global)\b|#\s*(type:|noqa|pragma|pylint:|fmt:|mypy:|pyright:|-\*-|coding[:=]|yaml-language-server)|\/\/\s*#(region|endregion)|\/\/\s*@(flow|jsx)|\/\/\s*nolint|#\s*(region|endregion)|#\s*shellcheck)/;

/** The text without its comments (directives kept), or undefined when it has none to drop. */
export function withoutComments(piece: Piece): { text: string; lines: number } | undefined {
  const layout = layoutOfPiece(piece);
  const facts = factsOfPiece(piece);
  const out: string[] = [];
  const keepBlank: boolean[] = [];
  let touched = 0;
  layout.lines.forEach((raw, i) => {
    const spans = facts[i].comments.filter(([s, e]) => !DIRECTIVE.test(raw.slice(s, e)));
    if (spans.length === 0) {
      out.push(raw);
      keepBlank.push(facts[i].startInside || facts[i].endInside);
      return;
    }
    touched++;
    const cr = raw.endsWith('\r') ? '\r' : '';
    const line = cr ? raw.slice(0, -1) : raw;
    let rest = '';
    let at = 0;
    for (const [s, e] of spans) {
      rest += line.slice(at, s);
      at = e;
    }
    rest += line.slice(at);
    // A line that was only a comment goes; a line that had code keeps its indentation and loses the comment's space.
    if (rest.trim().length === 0) return;
    const indent = /^[ \t]*/.exec(line)![0];
    const code = spans[0][0] <= indent.length ? indent + rest.trimStart() : rest;
    out.push((facts[i].endInside ? code : code.replace(/[ \t]+$/, '')) + cr);
    keepBlank.push(facts[i].startInside || facts[i].endInside);
  });
  if (touched === 0) return undefined;
  // Removing comment lines can join blank lines into runs; keep one of each, except inside literals.
  const collapsed = collapseLines(out, (k) => !keepBlank[k]);
  const text = collapsed.lines.join('\n');
  if (text.trim().length === 0) return undefined;
  return { text, lines: layout.lines.length - collapsed.lines.length };
}

/** Drops the comments of every context chunk (lossy; history is left alone). */
export function dropComments(pieces: readonly Piece[], measure: Measure): StepResult {
  const items: StepItem[] = [];
  const out = pieces.map((piece) => {
    if (piece.section !== 'context') return piece;
    const r = withoutComments(piece);
    if (!r) return piece;
    const before = measure(piece.text);
    const after = measure(r.text);
    if (after >= before) return piece;
    items.push(itemOf(piece, before, after, r.lines));
    return { ...piece, text: r.text };
  });
  return { pieces: out, report: reportOf('dropComments', items), references: [] };
}
