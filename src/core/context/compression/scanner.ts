// A line scanner that knows where strings and comments are, per language family (YAML has its own, in
// yamlScanner.ts). It answers the only questions the compression steps ask: is this line's end inside a
// literal (then its trailing whitespace is content), does it start inside one (then a blank line there is
// content), and where are its comments. It never needs to be right about anything else.
import type { Family } from './languages';

/** What the compression steps may do to one line. */
export interface LineFacts {
  /** The line begins inside a string or other literal: if it is blank, the blank line is content. */
  startInside: boolean;
  /** The end of the line is inside a literal, or its trailing whitespace means something: keep it. */
  endInside: boolean;
  /** Comment spans [start, end) in UTF-16 offsets (a block comment over several lines gives one span per line). */
  comments: Array<[number, number]>;
}

/** The facts of every line, and whether the text ends outside every string and comment. */
export interface Scan {
  lines: LineFacts[];
  balanced: boolean;
}

interface Syntax {
  /** Line comment opener. */
  line?: string;
  /** `#` opens a comment only at the start of a line or after whitespace (shell: `$#`, `${#a}`). */
  lineNeedsSpace?: boolean;
  block?: readonly [string, string];
  /** Quotes whose strings end at the end of the line (unless it ends with a backslash). */
  single: readonly string[];
  /** Delimiters whose strings may span lines, longest first. */
  multi: readonly string[];
  /** Backtick strings hold `${ code }`. */
  template?: boolean;
  /** `/.../` after an operator is a regular expression (JavaScript): its quotes are not strings. */
  regex?: boolean;
}

const SYNTAX: Readonly<Record<'c' | 'css' | 'python' | 'hash' | 'generic', Syntax>> = {
  c: { line: '//', block: ['/*', '*/'], single: ['"', "'"], multi: ['`'], template: true, regex: true },
  css: { block: ['/*', '*/'], single: ['"', "'"], multi: [] },
  python: { line: '#', single: ['"', "'"], multi: ['"""', "'''"] },
  hash: { line: '#', lineNeedsSpace: true, single: [], multi: ['"""', "'''", '"', "'"] },
  generic: { single: ['"', "'"], multi: ['"""', "'''", '`'] },
};

/** Families this scanner reads (YAML, Markdown prose and verbatim text are handled by the layout). */
export type ScannedFamily = keyof typeof SYNTAX;

/** True for a family scanned here. */
export function isScannedFamily(family: Family): family is ScannedFamily {
  return family in SYNTAX;
}

type Mode = { k: 'code'; braces: number } | { k: 'str'; q: string; multi: boolean } | { k: 'tmpl' } | { k: 'block' };

// Characters after which `/` starts a regular expression rather than a division.
const REGEX_AFTER = new Set('(,=:[!&|?{};+-*%<>~^'.split(''));
const REGEX_KEYWORDS = /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/;

// The characters that can start something in code, per family; every other character is skipped at once.
const OPENERS: Readonly<Record<ScannedFamily, ReadonlySet<string>>> = Object.fromEntries(
  Object.entries(SYNTAX).map(([family, syn]) => {
    const set = new Set<string>(['{', '}', '/']);
    if (syn.line) set.add(syn.line[0]);
    if (syn.block) set.add(syn.block[0][0]);
    for (const q of [...syn.single, ...syn.multi]) set.add(q[0]);
    return [family, set];
  }),
) as unknown as Record<ScannedFamily, ReadonlySet<string>>;

/** Scans `lines[start, end)` of one family from code state. */
export function scanLines(lines: readonly string[], start: number, end: number, family: ScannedFamily): Scan {
  const syn = SYNTAX[family];
  const openers = OPENERS[family];
  const stack: Mode[] = [{ k: 'code', braces: 0 }];
  const out: LineFacts[] = [];
  for (let li = start; li < end; li++) {
    const raw = lines[li];
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const startInside = isLiteral(stack[stack.length - 1]);
    const comments: Array<[number, number]> = [];
    let continued = false;
    let prev = ''; // the last significant code character on this line (for regex detection)
    let i = 0;
    while (i < line.length) {
      const mode = stack[stack.length - 1];
      if (mode.k === 'block') {
        const close = line.indexOf(syn.block![1], i);
        const stop = close < 0 ? line.length : close + syn.block![1].length;
        comments.push([i, stop]);
        if (close >= 0) stack.pop();
        i = stop;
        continue;
      }
      if (mode.k === 'str') {
        // Skip to the next backslash or possible closing quote.
        const q0 = mode.q[0];
        while (i < line.length && line[i] !== '\\' && line[i] !== q0) i++;
        if (i >= line.length) break;
        const ch = line[i];
        if (ch === '\\') {
          if (i + 1 >= line.length) continued = true;
          i += 2;
          continue;
        }
        if (line.startsWith(mode.q, i)) {
          stack.pop();
          i += mode.q.length;
          prev = 'a';
          continue;
        }
        i++;
        continue;
      }
      if (mode.k === 'tmpl') {
        while (i < line.length && line[i] !== '\\' && line[i] !== '`' && line[i] !== '$') i++;
        if (i >= line.length) break;
        const ch = line[i];
        if (ch === '\\') {
          i += 2;
          continue;
        }
        if (ch === '`') {
          stack.pop();
          i++;
          prev = 'a';
          continue;
        }
        if (ch === '$' && line[i + 1] === '{') {
          stack.push({ k: 'code', braces: 0 });
          i += 2;
          prev = '{';
          continue;
        }
        i++;
        continue;
      }
      // Code.
      const ch = line[i];
      if (ch === ' ' || ch === '\t') {
        i++;
        continue;
      }
      if (!openers.has(ch)) {
        prev = ch;
        i++;
        continue;
      }
      if (syn.line && line.startsWith(syn.line, i) && (!syn.lineNeedsSpace || i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) {
        comments.push([i, line.length]);
        i = line.length;
        break;
      }
      if (syn.block && line.startsWith(syn.block[0], i)) {
        stack.push({ k: 'block' });
        const close = line.indexOf(syn.block[1], i + syn.block[0].length);
        const stop = close < 0 ? line.length : close + syn.block[1].length;
        comments.push([i, stop]);
        if (close >= 0) stack.pop();
        i = stop;
        continue;
      }
      if (syn.regex && ch === '/' && (prev === '' || REGEX_AFTER.has(prev) || REGEX_KEYWORDS.test(line.slice(0, i).trimEnd()))) {
        const stop = regexEnd(line, i);
        if (stop > 0) {
          i = stop;
          prev = 'a';
          continue;
        }
      }
      const multi = syn.multi.find((d) => line.startsWith(d, i));
      if (multi) {
        stack.push(multi === '`' && syn.template ? { k: 'tmpl' } : { k: 'str', q: multi, multi: true });
        i += multi.length;
        continue;
      }
      const single = syn.single.find((q) => line.startsWith(q, i));
      if (single) {
        stack.push({ k: 'str', q: single, multi: false });
        i += single.length;
        continue;
      }
      if (mode.k === 'code' && stack.length > 1) {
        if (ch === '{') mode.braces++;
        else if (ch === '}') {
          if (mode.braces === 0) {
            stack.pop(); // back into the template around this `${ }`
            i++;
            continue;
          }
          mode.braces--;
        }
      }
      prev = ch;
      i++;
    }
    const top = stack[stack.length - 1];
    const endInside = isLiteral(top);
    // A one-line string left open at the end of its line ends there (unless the line ends with a backslash).
    if (top.k === 'str' && !top.multi && !continued) stack.pop();
    out.push({ startInside, endInside, comments });
  }
  const top = stack[stack.length - 1];
  return { lines: out, balanced: stack.length === 1 && top.k === 'code' };
}

function isLiteral(mode: Mode): boolean {
  return mode.k === 'str' || mode.k === 'tmpl';
}

/** The offset after a regular expression literal starting at `i`, or -1 when the line holds none. */
function regexEnd(line: string, i: number): number {
  let inClass = false;
  for (let j = i + 1; j < line.length; j++) {
    const ch = line[j];
    if (ch === '\\') {
      j++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '/') {
      if (j === i + 1) return -1; // `//` is a comment, not an empty regex
      let k = j + 1;
      while (k < line.length && /[a-z]/i.test(line[k])) k++;
      return k;
    }
  }
  return -1;
}
