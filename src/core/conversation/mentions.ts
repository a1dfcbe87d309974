// The files and symbols a conversation mentions, found without a model: paths with a known extension (or a
// folder), `identifiers` in backticks, and the names defined in fenced code blocks. For the digest, and for the
// summary tests' expectations.

/** Extensions that make a word a file name even without a folder ("parse.ts", "README.md"). */
const FILE_EXTENSIONS = [
  'tsx',
  'ts',
  'mts',
  'cts',
  'jsx',
  'js',
  'mjs',
  'cjs',
  'json',
  'jsonc',
  'md',
  'mdx',
  'py',
  'rs',
  'go',
  'java',
  'kt',
  'kts',
  'c',
  'h',
  'cc',
  'cpp',
  'hpp',
  'cs',
  'rb',
  'php',
  'swift',
  'scala',
  'sh',
  'bash',
  'ps1',
  'yml',
  'yaml',
  'toml',
  'ini',
  'cfg',
  'css',
  'scss',
  'less',
  'html',
  'vue',
  'svelte',
  'sql',
  'txt',
  'xml',
  'gradle',
  'lock',
  'env',
  'dart',
  'lua',
  'zig',
];

// A path: optional ./ or ../, folders, a name with one of the extensions; not inside a URL or a longer word.
const FILE_RE = new RegExp(String.raw`(?<![\w@/\\.:-])(?:\.{1,2}[/\\])?(?:[\w@.-]+[/\\])*[\w@-][\w@.-]*\.(?:${FILE_EXTENSIONS.join('|')})(?![\w/\\-])`, 'g');
const FENCE_RE = /^(`{3,}|~{3,})[^\n]*\n([\s\S]*?)^\1[ \t]*$/gm;
const INLINE_CODE_RE = /(?<!`)`([^`\n]+)`(?!`)/g;
const IDENTIFIER_RE = /^[A-Za-z_$][\w$]*(?:(?:\.|::|#)[A-Za-z_$][\w$]*)*(?:\(\))?$/;
/** Definitions in code: JS/TS functions, classes and arrow constants, Python/Rust/Go/Kotlin functions, methods. */
const DEFINITION_RES = [
  /\bfunction\s*\*?\s*([A-Za-z_$][\w$]*)/g,
  /\b(?:def|fn|fun)\s+([A-Za-z_]\w*)/g,
  /\bfunc\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)/g,
  /\b(?:class|interface|struct|enum|trait)\s+([A-Za-z_$][\w$]*)/g,
  /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\b|\([^()]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>)/g,
  /^[ \t]*(?:(?:public|private|protected|static|async|override|readonly|export|default)\s+)*([A-Za-z_$][\w$]*)\s*\([^()]*\)\s*(?::\s*[^{\n]+)?\{/gm,
];
const NOT_NAMES = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'function', 'constructor', 'else', 'do', 'try', 'with', 'new']);

/** What a text mentions, each list in order of first mention, without repeats. */
export interface Mentions {
  files: string[];
  symbols: string[];
}

/** The files and symbols mentioned in some texts (see the file comment for what counts). */
export function mentionsOf(texts: readonly string[]): Mentions {
  const files = new Set<string>();
  const symbols = new Set<string>();
  for (const text of texts) {
    for (const m of text.matchAll(FILE_RE)) files.add(m[0]);
    const prose = text.replace(FENCE_RE, (_all, _fence: string, body: string) => {
      // In order of appearance in the block, whichever kind of definition each is.
      const found = DEFINITION_RES.flatMap((re) => [...body.matchAll(re)].map((m) => [m.index ?? 0, m[1]] as const));
      for (const [, name] of found.sort((a, b) => a[0] - b[0])) if (!NOT_NAMES.has(name)) symbols.add(name);
      return '\n';
    });
    for (const m of prose.matchAll(INLINE_CODE_RE)) {
      const code = m[1].trim();
      if (IDENTIFIER_RE.test(code) && !files.has(code)) symbols.add(code.replace(/\(\)$/, ''));
    }
  }
  for (const f of files) symbols.delete(f);
  return { files: [...files], symbols: [...symbols] };
}
