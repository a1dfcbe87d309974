// Explain Selection's extra context: the definitions of the names the selected code uses, found in the
// workspace index (a chunk whose symbols define the name). Names the selection defines itself, keywords and
// one- or two-letter names are not looked up.
import type { DefinitionSnippet } from '../../core/context/explainContext';
import type { FoundChunk } from './workspaceSearch';

/** Names looked up at most, and definitions added at most (the token engine cuts them by relevance anyway). */
export const MAX_NAMES = 24;
export const MAX_DEFINITIONS = 8;

// Keywords and built-in names of the languages the index reads: never a workspace definition worth adding.
const NOT_NAMES = new Set(
  (
    'abstract and any as assert async await bool boolean break byte case catch char class const continue def default del delete do double ' +
    'elif else enum export extends false final finally float fn for from func function go if impl implements import in instanceof int ' +
    'interface is let long loop match mod module mut namespace new nil none not null number object of or package pass private protected pub ' +
    'public raise readonly return self short static str string struct super switch this throw throws trait true try type typeof undefined ' +
    'unsafe use var void where while with yield console require exports'
  ).split(' '),
);

/** Identifiers the code uses, in order of first use, without keywords, short names and names it defines itself. */
export function usedNames(code: string, max = MAX_NAMES): string[] {
  const defined = new Set<string>();
  for (const m of code.matchAll(/\b(?:function|class|def|fn|func|interface|type|struct|enum|const|let|var)\s+([A-Za-z_$][\w$]*)/g)) defined.add(m[1]);
  const out: string[] = [];
  const seen = new Set<string>();
  // Names inside strings and comments count too: looking one up that nothing defines only costs a search.
  for (const m of code.matchAll(/[A-Za-z_$][\w$]*/g)) {
    const name = m[0];
    if (name.length < 3 || seen.has(name) || defined.has(name) || NOT_NAMES.has(name.toLowerCase())) continue;
    seen.add(name);
    out.push(name);
    if (out.length >= max) break;
  }
  return out;
}

/** True when the chunk defines `name` (its symbols are qualified: `RateLimiter.isAllowed` defines `isAllowed`). */
function defines(found: FoundChunk, name: string): boolean {
  return found.hit.chunk.symbols.some((s) => s === name || s.endsWith(`.${name}`));
}

/**
 * One definition per used name, names in the order the selection uses them: the best hit of that name's search
 * that defines it, outside `ownFile` (the selection's file is in the prompt already) and not excluded. A chunk
 * that defines two used names is added once.
 */
export function pickDefinitions(
  hitsByName: readonly (readonly [name: string, hits: readonly FoundChunk[]])[],
  ownFile: string,
  excluded: (file: string) => boolean,
  max = MAX_DEFINITIONS,
): DefinitionSnippet[] {
  const out: DefinitionSnippet[] = [];
  const added = new Set<string>();
  for (const [name, hits] of hitsByName) {
    if (out.length >= max) break;
    const h = hits.find((x) => x.file !== ownFile && !excluded(x.file) && defines(x, name));
    if (!h) continue;
    const c = h.hit.chunk;
    const key = `${h.file}#${c.startLine}`;
    if (added.has(key)) continue;
    added.add(key);
    out.push({ symbol: name, path: h.file, languageId: c.language, startLine: c.startLine, endLine: c.endLine, text: c.text });
  }
  return out;
}
