// Which lexical rules read a text: the family decides where strings and comments are, which is all the
// compression steps need to know. A family, not a grammar: the optimizer is synchronous and most chunks are
// fragments (a parser would have to load WASM asynchronously and would report errors on half a function).

/**
 * - `c`: `//` and `/* *\/` comments, '...' and "..." strings, `...` templates with `${}` (JS, TS, Java, C, Go, Rust, ...);
 * - `css`: only block comments (`//` is not a comment in CSS: `url(//cdn/x.png)`);
 * - `python`: `#` comments, '...' "..." and triple-quoted strings;
 * - `hash`: `#` comments after whitespace, quotes that may span lines (shell, Ruby, TOML, R, ...);
 * - `yaml`: `#` comments, quoted scalars, block scalars (`|`, `>`) whose every character is content;
 * - `markdown`: prose with fenced code blocks, each read with its own language (chat messages are read so);
 * - `generic`: unknown text: every kind of quote protects what it encloses, nothing is a comment;
 * - `verbatim`: whitespace is content (diffs, Makefiles): no step touches whitespace or comments.
 */
export type Family = 'c' | 'css' | 'python' | 'hash' | 'yaml' | 'markdown' | 'generic' | 'verbatim';

const BY_NAME: Readonly<Record<string, Family>> = (() => {
  const table: Record<string, Family> = {};
  const add = (family: Family, names: string) => names.split(' ').forEach((n) => (table[n] = family));
  add(
    'c',
    'ts tsx mts cts js jsx mjs cjs typescript javascript java c h cc cpp cxx hpp hh c++ cs csharp go golang rs rust swift kt kts kotlin scala dart php json jsonc json5 groovy gradle proto zig sol',
  );
  add('css', 'css scss sass less');
  add('python', 'py pyi pyw python python3');
  add('hash', 'sh bash zsh fish ksh shell rb ruby r pl pm perl toml cfg conf properties dockerfile nix cmake ps1 powershell tf hcl');
  add('yaml', 'yml yaml');
  add('markdown', 'md markdown mdx');
  add('verbatim', 'diff patch mk makefile');
  add('generic', 'txt text plain plaintext log');
  return table;
})();

/** The family of a file path by its extension or name (`Makefile`), or undefined when unknown. */
export function familyOfPath(path: string): Family | undefined {
  const base = path.split(/[\\/]/).pop() ?? '';
  const lower = base.toLowerCase();
  if (lower === 'makefile' || lower === 'gnumakefile') return 'verbatim';
  if (lower === 'dockerfile') return 'hash';
  const dot = lower.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return BY_NAME[lower.slice(dot + 1)];
}

/** The family of a fence's info string (```ts, ~~~python), or undefined when unknown or empty. */
export function familyOfFence(info: string): Family | undefined {
  const name = info
    .trim()
    .split(/[\s{,]/)[0]
    .toLowerCase();
  if (!name) return undefined;
  return BY_NAME[name] ?? BY_NAME[name.replace(/^\./, '')];
}

/** True for families whose strings may span lines, where a fragment's first line may already be inside one. */
export function hasMultiLineLiterals(family: Family): boolean {
  return family !== 'css' && family !== 'verbatim';
}

// A fragment that starts with one of these lines starts in code, not inside a string: a definition, an
// import, a decorator or a doc comment. Only used for chunks that do not start at line 1 of their file.
const DEFINITION_START: Partial<Record<Family, RegExp>> = {
  c: /^(export\s|import\s|function[\s*(]|async\s+function|class\s|abstract\s|interface\s|type\s+\w+|enum\s|const\s|let\s|var\s|namespace\s|declare\s|@[A-Za-z_$][\w$.]*(\(|$)|public\s|private\s|protected\s|static\s|package\s|#include|#define|using\s|fn\s|pub(\(|\s)|impl[\s<]|struct\s|trait\s|func\s|\/\*\*|\/\/)/,
  python: /^(def\s|class\s|async\s+def\s|@[A-Za-z_][\w.]*(\(.*\))?\s*$|import\s|from\s+\S+\s+import\s)/,
  yaml: /^(---|[A-Za-z_][\w.-]*:(\s|$))/,
};

/** True when the first non-blank line looks like the start of a definition, so the fragment starts in code. */
export function startsLikeCode(lines: readonly string[], start: number, end: number, family: Family): boolean {
  const re = DEFINITION_START[family];
  if (!re) return false;
  for (let i = start; i < end; i++) {
    const t = lines[i].trim();
    if (t.length === 0) continue;
    // YAML: only a top-level key proves we are outside any block scalar or quoted scalar.
    if (family === 'yaml') return /^\S/.test(lines[i]) && re.test(t);
    return re.test(t);
  }
  return false;
}
