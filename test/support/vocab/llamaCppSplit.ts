// A JavaScript replay of llama.cpp's unicode_regex_split (src/unicode.cpp), used to check the folded patterns of
// src/core/tokens/model/preTokenizers.ts against the regex sequences llama.cpp really runs:
//  - every regex splits every piece the previous one produced; unmatched gaps stay pieces;
//  - a regex that names \p{N}, \p{L}, \p{P}, \p{M} or \p{S} runs on the "collapsed" text: ASCII kept, every other
//    code point replaced by one placeholder for its category (non-ASCII whitespace by \v), and each \p{X} replaced
//    by [placeholder + llama.cpp's ASCII list for X] (k_ucat_map, whose symbol list lacks `~`);
//  - any other regex runs on the code points with non-ASCII whitespace replaced by \v (std::wregex), where \s is
//    ASCII whitespace only (the C locale).
// Categories come from JavaScript's Unicode tables, so tests keep to characters assigned before Unicode 15.

const PLACEHOLDER: Record<string, string> = { N: '\uE0D1', L: '\uE0D2', P: '\uE0D3', M: '\uE0D4', S: '\uE0D5' };
const OTHER = '\uE0D0';
const ASCII: Record<string, string> = {
  N: '0-9',
  L: 'A-Za-z',
  P: '!-#%-*,-/:-;?-@\\[-\\]_\\{\\}',
  M: '',
  S: '\\$\\+<->\\^`\\|',
};
const WHITE_SPACE = /^[\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]$/u;

function collapse(cp: string): string {
  if (cp.codePointAt(0)! < 0x80) return cp;
  if (WHITE_SPACE.test(cp)) return '\v';
  for (const k of ['N', 'L', 'P', 'M', 'S']) if (new RegExp(`^\\p{${k}}$`, 'u').test(cp)) return PLACEHOLDER[k];
  return OTHER;
}

function collapsedRegex(regex: string): string {
  let out = '';
  let inside = false;
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i];
    if (c === '\\' && regex[i + 1] === 'p' && regex[i + 2] === '{' && regex[i + 4] === '}' && PLACEHOLDER[regex[i + 3]]) {
      const k = regex[i + 3];
      out += inside ? PLACEHOLDER[k] + ASCII[k] : `[${PLACEHOLDER[k]}${ASCII[k]}]`;
      i += 4;
      continue;
    }
    if (c === '\\') {
      out += c + regex[i + 1];
      i++;
      continue;
    }
    if (c === '[') inside = true;
    else if (c === ']') inside = false;
    out += c;
  }
  return out;
}

function wregex(regex: string): string {
  return regex.replaceAll('\\s', '[\\t-\\r ]').replaceAll('\\S', '[^\\t-\\r ]');
}

/** The pieces llama.cpp cuts `text` into with this sequence of regexes (before byte-level encoding). */
export function llamaCppSplit(text: string, regexes: readonly string[]): string[] {
  const cps = Array.from(text);
  let lengths = [cps.length];
  for (const regex of regexes) {
    const collapsed = /\\p\{[NLPMS]\}/.test(regex);
    const units = collapsed ? cps.map(collapse) : cps.map((c) => (c.codePointAt(0)! > 0x7f && WHITE_SPACE.test(c) ? '\v' : c));
    const re = new RegExp(collapsed ? collapsedRegex(regex) : wregex(regex), 'gu');
    const next: number[] = [];
    let start = 0;
    for (const len of lengths) {
      const part = units.slice(start, start + len);
      const s = part.join('');
      // UTF-16 index in `s` -> code point index in `part`.
      const cpAt = new Map<number, number>();
      for (let i = 0, u = 0; i <= part.length; u += part[i]?.length ?? 0, i++) cpAt.set(u, i);
      let prev = 0;
      for (const m of s.matchAll(re)) {
        if (m[0].length === 0) continue;
        const a = cpAt.get(m.index)!;
        const b = cpAt.get(m.index + m[0].length)!;
        if (a > prev) next.push(a - prev);
        next.push(b - a);
        prev = b;
      }
      if (prev < len) next.push(len - prev);
      start += len;
    }
    lengths = next;
  }
  const pieces: string[] = [];
  let at = 0;
  for (const len of lengths) {
    pieces.push(cps.slice(at, at + len).join(''));
    at += len;
  }
  return pieces;
}
