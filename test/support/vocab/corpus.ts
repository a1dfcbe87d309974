import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

// Deterministic test text of every kind a coding assistant sends: real code and prose from node_modules, real
// localized messages (TypeScript's diagnostics in Chinese, Japanese, Korean, Russian), and generated emoji, CSV,
// logs and whitespace runs. Generated characters are all assigned before Unicode 15, so every Unicode table
// involved (V8's, tiktoken's Rust regex, llama.cpp's) agrees on them.

// Found through the resolver, so the same code works bundled (benchmarks) and from source (tests).
const NODE_MODULES = path.resolve(path.dirname(require.resolve('typescript/package.json')), '..');

/**
 * Characters that stress every class boundary the pre-tokenizers draw: ASCII of every kind, apostrophe
 * contractions, Latin-1 symbols, NEL/NBSP/soft hyphen, combining marks, Greek, Cyrillic, Vietnamese, Georgian,
 * Armenian, Arabic, Hebrew, Devanagari with its vowel sign and digit, Thai, CJK, kana with the middle dot, prolonged
 * sound mark, voiced sound marks (spacing and combining) and an unassigned kana code point, CJK punctuation and
 * spaces, fullwidth forms, Hangul, currency, arrows, circled digits, fractions, curly quotes, em space, line
 * separator, zero-width and joiner characters, BOM, emoji with skin tone, variation selector and flag halves,
 * astral letters, private use, titlecase and modifier letters, ligatures.
 */
export const STRESS_ALPHABET: readonly string[] = Array.from(
  'aZxstreldmv\'079 \t\n\r~!.,($+<|`/-_="#\\[\u000b\u001féßµ×¡\u00a0\u0085\u00ad\u0301\u0300ΩωжЖệႠԱبשक\u093f१ก中文あアー・゛\u3099\u3040。、「\u3000ＡａＳ！～０한ᄀ€™→✓☀①½²“”‘…—\u2003\u2028\u200b\u200d\ufeff\u2060😀👍🏻\ufe0f🇫🇷𝐀𐐀\ue000ǅʰﬁ',
);

/** A small deterministic generator (numerical recipes LCG), so corpora are the same on every run. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** TypeScript declaration files. */
export function codeText(maxChars = 400_000): string {
  const lib = path.join(NODE_MODULES, 'typescript/lib');
  const files = readdirSync(lib)
    .filter((f) => f.endsWith('.d.ts'))
    .sort()
    .slice(0, 12);
  return files
    .map((f) => readFileSync(path.join(lib, f), 'utf8'))
    .join('\n')
    .slice(0, maxChars);
}

/** READMEs of installed packages (English prose with Markdown, links and code blocks). */
export function proseText(maxChars = 300_000): string {
  const dirs = readdirSync(NODE_MODULES).sort();
  const files = dirs
    .map((d) => path.join(NODE_MODULES, d, 'README.md'))
    .filter((f) => existsSync(f))
    .slice(0, 80);
  return files
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n\n')
    .slice(0, maxChars);
}

/** TypeScript's diagnostic messages in one language ('zh-cn', 'ja', 'ko', 'ru', ...). */
export function localizedText(lang: string): string {
  const file = path.join(NODE_MODULES, 'typescript/lib', lang, 'diagnosticMessages.generated.json');
  return Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>).join('\n');
}

const EMOJI_BASES = [0x1f600, 0x1f300, 0x1f680, 0x2600, 0x1f910, 0x2700];

/** Emoji with skin tones, ZWJ sequences, variation selectors and flags, mixed with words. */
export function emojiText(count: number, seed = 7): string {
  const r = lcg(seed);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    let e = String.fromCodePoint(EMOJI_BASES[Math.floor(r() * EMOJI_BASES.length)] + Math.floor(r() * 48));
    const k = r();
    if (k < 0.1) e += '\u{1F3FB}';
    else if (k < 0.2) e += '\u200d' + String.fromCodePoint(0x1f466 + Math.floor(r() * 4));
    else if (k < 0.25) e += '\uFE0F';
    else if (k < 0.3) e = '\u{1F1EB}\u{1F1F7}';
    parts.push(e);
    if (r() < 0.3) parts.push(' ');
    if (r() < 0.1) parts.push(' word ');
  }
  return parts.join('');
}

/** A CSV table of ids, names, prices, dates and ratios. */
export function csvText(rows: number, seed = 3): string {
  const r = lcg(seed);
  const out = ['id,name,price,qty,date,ratio'];
  for (let i = 0; i < rows; i++) {
    const month = 1 + Math.floor(r() * 9);
    out.push(
      [i, `item${Math.floor(r() * 1000)}`, (r() * 1000).toFixed(2), Math.floor(r() * 100), `2024-0${month}-1${Math.floor(r() * 9)}`, r().toExponential(3)].join(
        ',',
      ),
    );
  }
  return out.join('\n');
}

/** Server log lines with timestamps, levels, hex ids, IPs, durations and URLs. */
export function logText(lines: number, seed = 5): string {
  const r = lcg(seed);
  const levels = ['INFO', 'WARN', 'ERROR', 'DEBUG'];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const ts = `2024-05-${String(1 + (i % 28)).padStart(2, '0')}T12:${String(i % 60).padStart(2, '0')}:07.${String(Math.floor(r() * 1000)).padStart(3, '0')}Z`;
    out.push(
      `${ts} [${levels[i % 4]}] worker-${Math.floor(r() * 16)} req=${Math.floor(r() * 2 ** 32).toString(16)} ` +
        `ip=10.0.${Math.floor(r() * 255)}.${Math.floor(r() * 255)} took ${Math.floor(r() * 5000)}ms path=/api/v1/items/${Math.floor(r() * 99999)}?q=a%20b`,
    );
  }
  return out.join('\n');
}

/** Runs of spaces, tabs, newlines (also \r\n) and non-ASCII spaces between words. */
export function whitespaceText(count = 400, seed = 9): string {
  const r = lcg(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const k = Math.floor(r() * 6);
    out.push(
      [
        'x',
        ' '.repeat(1 + Math.floor(r() * 40)),
        '\t'.repeat(1 + Math.floor(r() * 5)),
        '\n'.repeat(1 + Math.floor(r() * 4)),
        ' \n \r\n',
        '\u00a0\u3000 \u2003',
      ][k],
    );
  }
  return out.join('');
}

/** Text with the given special-token strings typed into it, also as fragments (`<|`, `|>`). */
export function textWithSpecials(specials: readonly string[], count = 300, seed = 11): string {
  const r = lcg(seed);
  const fillers = ['hello', ' ', '\n', 'x<|', ' world', '<', '|>', 'im_start', '</', 'think>'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(specials[Math.floor(r() * specials.length)]);
    out.push(fillers[Math.floor(r() * fillers.length)]);
  }
  return out.join('');
}

/** Every corpus by name, each cut to at most `maxChars` (the special-token one needs the vocabulary's specials). */
export function allCorpora(maxChars = Infinity): Record<string, string> {
  const all: Record<string, string> = {
    code: codeText(),
    prose: proseText(),
    chinese: localizedText('zh-cn'),
    japanese: localizedText('ja'),
    korean: localizedText('ko'),
    russian: localizedText('ru'),
    emoji: emojiText(5000),
    csv: csvText(3000),
    logs: logText(2000),
    whitespace: whitespaceText(),
  };
  for (const k of Object.keys(all)) if (all[k].length > maxChars) all[k] = all[k].slice(0, maxChars).replace(/[\uD800-\uDBFF]$/, '');
  return all;
}

/** `text` cut into pieces of about `size` characters, on code point boundaries. */
export function chunksOf(text: string, size: number): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < text.length) {
    let end = Math.min(text.length, at + size);
    const c = text.charCodeAt(end - 1);
    if (end < text.length && c >= 0xd800 && c <= 0xdbff) end++;
    out.push(text.slice(at, end));
    at = end;
  }
  return out;
}
