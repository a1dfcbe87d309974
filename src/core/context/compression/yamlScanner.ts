// YAML's literals are not delimited like code strings: a block scalar (`key: |`) is every more-indented line
// after its indicator, quotes open a scalar only where a scalar starts (`key: don't` is plain text), and a blank
// line inside a multi-line plain or quoted scalar is a newline of its value. So YAML gets its own scanner.
import type { LineFacts, Scan } from './scanner';

const indentOf = (line: string) => line.length - line.trimStart().length;
const isBlank = (line: string) => line.trim().length === 0;

// A line that starts a node of its own, after which a blank run cannot be part of a multi-line plain scalar:
// a key, a comment, a document marker, or the end of a flow collection.
const KEY_LINE = /^\s*(?:-\s+)*(?:[^\s#'"{[\]},&*!|>%@`][^#]*?|"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')\s*:(?:\s|$)/;
const OTHER_NODE_LINE = /^\s*(?:#|---|\.\.\.|[\]}])/;
// A block scalar indicator where a node starts: `key: |`, `- >-`, `key: !!str |2` (with an optional comment).
const BLOCK_INDICATOR =
  /^\s*(?:-\s+)*(?:(?:[^\s#'"{[\]},&*!|>%@`][^#]*?|"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')\s*:\s+)?(?:-\s+)*(?:[!&][^\s]*\s+)*[|>]([-+1-9]{0,2})\s*(?:#.*)?$/;
// Characters after which a quote starts a quoted scalar.
const SCALAR_START = new Set([':', '-', '?', '[', '{', ',']);

/**
 * Scans YAML lines from the top level. With `uncertain`, the lines before the first top-level key (or `---`) may
 * belong to a block scalar or quoted scalar that began above the fragment: they are all protected.
 */
export function scanYaml(lines: readonly string[], start: number, end: number, uncertain: boolean): Scan {
  const out: LineFacts[] = [];
  let quote: '"' | "'" | undefined;
  let block: { indent: number; keep: boolean } | undefined;
  let pendingBlanks: number[] = [];
  let from = start;
  if (uncertain) {
    while (from < end && !(indentOf(lines[from]) === 0 && !isBlank(lines[from]) && (KEY_LINE.test(lines[from]) || /^---/.test(lines[from])))) {
      out.push({ startInside: true, endInside: true, comments: [] });
      from++;
    }
  }
  const resolveBlanks = (inside: boolean) => {
    for (const k of pendingBlanks) out[k - start] = { startInside: inside, endInside: inside, comments: [] };
    pendingBlanks = [];
  };
  for (let li = from; li < end; li++) {
    const raw = lines[li];
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (block) {
      if (isBlank(line)) {
        pendingBlanks.push(li);
        out.push({ startInside: true, endInside: true, comments: [] });
        continue;
      }
      if (indentOf(line) > block.indent) {
        resolveBlanks(true);
        out.push({ startInside: true, endInside: true, comments: [] });
        continue;
      }
      // Blank lines after a block scalar are its content only with the keep indicator (`|+`).
      resolveBlanks(block.keep);
      block = undefined;
    }
    const startInside = quote !== undefined;
    const comments: Array<[number, number]> = [];
    let lastSignificant = '';
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quote === '"') {
        if (ch === '\\') i++;
        else if (ch === '"') quote = undefined;
        continue;
      }
      if (quote === "'") {
        if (ch === "'" && line[i + 1] === "'") i++;
        else if (ch === "'") quote = undefined;
        continue;
      }
      if (ch === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) {
        comments.push([i, line.length]);
        break;
      }
      if ((ch === '"' || ch === "'") && (lastSignificant === '' || SCALAR_START.has(lastSignificant))) {
        quote = ch;
        continue;
      }
      if (ch !== ' ' && ch !== '\t') lastSignificant = ch;
    }
    out.push({ startInside, endInside: quote !== undefined, comments });
    if (!quote) {
      const m = BLOCK_INDICATOR.exec(line);
      if (m) block = { indent: indentOf(line), keep: m[1].includes('+') };
    }
  }
  // Blank lines at the end of a fragment may be followed by more of a block scalar: keep them.
  resolveBlanks(true);
  markPlainScalarBlanks(lines, start, end, out);
  return { lines: out, balanced: quote === undefined };
}

/**
 * A blank run inside a multi-line plain scalar is a newline of its value. A run is free only when the next
 * non-blank line starts a node of its own: a key, a comment, a marker, or a `- ` item no deeper than the line
 * before the run (a deeper `- b` after `key: a` continues the scalar "a - b").
 */
function markPlainScalarBlanks(lines: readonly string[], start: number, end: number, out: LineFacts[]): void {
  let prevIndent = 0;
  for (let li = start; li < end; li++) {
    if (!isBlank(lines[li])) {
      prevIndent = indentOf(lines[li]);
      continue;
    }
    let next = li;
    while (next < end && isBlank(lines[next])) next++;
    if (next < end) {
      const n = lines[next];
      const free = KEY_LINE.test(n) || OTHER_NODE_LINE.test(n) || (/^\s*-(\s|$)/.test(n) && indentOf(n) <= prevIndent);
      if (!free) for (let k = li; k < next; k++) out[k - start] = { ...out[k - start], startInside: true };
    }
    li = next - 1;
  }
}
