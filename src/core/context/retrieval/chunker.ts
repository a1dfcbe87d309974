import { GrammarLoadError, type GrammarSet } from '../syntax/grammars';
import { languageLabel, languageOfPath, type DefinitionKind } from '../syntax/languages';
import { outlineOf, type Definition } from '../syntax/outline';
import type { Chunk, ChunkKind, CountTokens } from './types';
import { LineTable, lineWindows, packLines, type Span } from './windows';

// Files to chunks along the code's own structure. A definition that fits the token cap is one chunk
// (a small class with its methods stays whole); a bigger class-like one is opened up: its header and
// fields become one chunk, its members their own; a bigger function is split by lines into parts. Code
// between definitions (imports, statements) is packed into `block` chunks, and neighbours smaller than
// `minChunkTokens` are merged so a file of one-line getters does not become a hundred tiny chunks.

export interface ChunkerOptions {
  /** No chunk has more tokens than this. */
  maxChunkTokens: number;
  /** Neighbouring chunks both under this are merged (when together they fit the cap). */
  minChunkTokens: number;
  /** Line windows (languages without a grammar): lines per window and lines shared with the previous one. */
  windowLines: number;
  overlapLines: number;
  /** A file of 4 KB or more whose lines average more than this many characters is minified: character windows. */
  minifiedLineChars: number;
  /** A parse that takes longer is abandoned for line windows (pathological inputs). */
  parseTimeoutMs: number;
  /** Non-definition nodes spanning at least this many rows are searched for definitions (IIFEs, suites). */
  descendRows: number;
}

export const DEFAULT_CHUNKER_OPTIONS: ChunkerOptions = {
  maxChunkTokens: 384,
  minChunkTokens: 48,
  windowLines: 40,
  overlapLines: 8,
  minifiedLineChars: 300,
  parseTimeoutMs: 3000,
  descendRows: 40,
};

/** Above any tokenizer's characters per token on code (GPT-2 averages about 3.5, long words about 6). */
const CHARS_PER_TOKEN_MAX = 16;

/** How a file was cut. */
export type ChunkMode = 'syntax' | 'lines' | 'characters';

export interface ChunkedFile {
  chunks: Chunk[];
  mode: ChunkMode;
  /** Why a file with a known language was cut into line windows instead. */
  fallback?: { reason: 'grammar' | 'parse-timeout'; error?: GrammarLoadError };
}

interface Piece extends Span {
  /** Code that is not a definition of its own (imports, a class header, a closing brace). */
  glue: boolean;
  kind: ChunkKind;
  symbols: string[];
  enclosing: string[];
  signature?: string;
  part?: { index: number; count: number };
}

interface Owner {
  kind: DefinitionKind;
  qualifiedName: string;
  signature: string;
  /** The names around the owner itself. */
  enclosing: string[];
}

/** Cuts files into chunks; one instance per thread (it holds the parsers). */
export class Chunker {
  constructor(
    private readonly grammars: GrammarSet,
    private readonly count: CountTokens,
    readonly options: ChunkerOptions = DEFAULT_CHUNKER_OPTIONS,
  ) {}

  /** The chunks of one file, in file order. */
  async chunkFile(file: string, text: string): Promise<ChunkedFile> {
    const spec = languageOfPath(file);
    const language = spec?.id ?? languageLabel(file);
    const table = new LineTable(text);
    const cap = this.options.maxChunkTokens;
    const toChunks = (pieces: Piece[]) => pieces.map((p) => toChunk(file, language, p));
    if (isMinified(text, table.length, this.options.minifiedLineChars)) {
      return {
        mode: 'characters',
        chunks: toChunks(
          packLines(table, 0, table.length - 1, cap, this.count)
            .filter((s) => s.text.trim() !== '')
            .map(windowPiece),
        ),
      };
    }
    const windows = () => toChunks(lineWindows(table, this.options.windowLines, this.options.overlapLines, cap, this.count).map(windowPiece));
    if (!spec) return { mode: 'lines', chunks: windows() };
    const parser = await this.grammars.parserFor(spec);
    if (parser instanceof GrammarLoadError) return { mode: 'lines', chunks: windows(), fallback: { reason: 'grammar', error: parser } };
    const deadline = performance.now() + this.options.parseTimeoutMs;
    parser.reset();
    const tree = parser.parse(text, null, { progressCallback: () => performance.now() > deadline });
    if (!tree) return { mode: 'lines', chunks: windows(), fallback: { reason: 'parse-timeout' } };
    let defs: Definition[];
    try {
      defs = outlineOf(tree.rootNode, text, spec, { descendRows: this.options.descendRows });
    } finally {
      tree.delete();
    }
    const pieces: Piece[] = [];
    this.level(table, 0, table.length - 1, defs, [], undefined, pieces);
    return { mode: 'syntax', chunks: toChunks(this.mergeSmall(table, pieces)) };
  }

  /** True when the text is over twice the cap by the file's learnt ratio (or over any tokenizer's reach). */
  private surelyOver(table: LineTable, text: string): boolean {
    const cap = this.options.maxChunkTokens;
    return text.length > Math.min(cap * CHARS_PER_TOKEN_MAX, table.charsFor(cap) * 2);
  }

  /** Counts exactly and lets the table learn the file's characters per token from it. */
  private countIn(table: LineTable, text: string): number {
    const tokens = this.count(text);
    table.learn(text.length, tokens);
    return tokens;
  }

  /** Definitions and the code between them, within rows [startRow, endRow]. */
  private level(table: LineTable, startRow: number, endRow: number, defs: Definition[], enclosing: string[], owner: Owner | undefined, out: Piece[]): void {
    let cursor = startRow;
    for (const def of defs) {
      // Two definitions on one row (`a() {} b() {}`): the row belongs to the first.
      const start = Math.max(def.startRow, cursor);
      const end = Math.min(def.endRow, endRow);
      if (end < start) continue;
      if (start > cursor) this.glue(table, cursor, start - 1, enclosing, owner, out);
      this.definition(table, def, start, end, enclosing, out);
      cursor = end + 1;
    }
    if (cursor <= endRow) this.glue(table, cursor, endRow, enclosing, owner, out);
  }

  private definition(table: LineTable, def: Definition, start: number, end: number, enclosing: string[], out: Piece[]): void {
    const cap = this.options.maxChunkTokens;
    const qualifiedName = [...enclosing, def.name].join('.');
    const text = table.textOf(start, end);
    // A text far longer than the cap by this file's characters per token is not counted whole only to be
    // opened up or split (a 2,000-line class would otherwise be counted twice).
    const tokens = this.surelyOver(table, text) ? Number.POSITIVE_INFINITY : this.countIn(table, text);
    if (tokens <= cap) {
      out.push({
        startRow: start,
        endRow: end,
        text,
        tokens,
        glue: false,
        kind: def.kind,
        symbols: [qualifiedName, ...descendantNames(def.children, qualifiedName)],
        enclosing,
        signature: def.signature,
      });
      return;
    }
    if (def.children.length > 0) {
      this.level(table, start, end, def.children, [...enclosing, def.name], { kind: def.kind, qualifiedName, signature: def.signature, enclosing }, out);
      return;
    }
    const spans = packLines(table, start, end, cap, this.count).filter((s) => s.text.trim() !== '');
    spans.forEach((span, i) =>
      out.push({
        ...span,
        glue: false,
        kind: def.kind,
        symbols: [qualifiedName],
        enclosing,
        signature: def.signature,
        part: { index: i + 1, count: spans.length },
      }),
    );
  }

  /** Code that is not a definition: between definitions, or a class's header and fields. */
  private glue(table: LineTable, start: number, end: number, enclosing: string[], owner: Owner | undefined, out: Piece[]): void {
    while (start <= end && table.isBlank(start, start)) start++;
    while (end >= start && table.isBlank(end, end)) end--;
    if (start > end) return;
    // A class's header and fields are the class's own code: named after it, enclosed by what encloses it.
    const meta = owner
      ? { glue: true, kind: owner.kind as ChunkKind, symbols: [owner.qualifiedName], enclosing: owner.enclosing, signature: owner.signature }
      : { glue: true, kind: 'block' as ChunkKind, symbols: [], enclosing };
    // One count when the code fits (the common case); per-line counts only to split what does not.
    const text = table.textOf(start, end);
    const tokens = this.surelyOver(table, text) ? Number.POSITIVE_INFINITY : this.countIn(table, text);
    const spans =
      tokens <= this.options.maxChunkTokens
        ? [{ startRow: start, endRow: end, text, tokens }]
        : packLines(table, start, end, this.options.maxChunkTokens, this.count);
    for (const span of spans) {
      if (span.text.trim() !== '') out.push({ ...span, ...meta, symbols: [...meta.symbols] });
    }
  }

  /**
   * Two passes over the pieces in file order. First, glue under `minChunkTokens` (a `private` line, a
   * closing brace, a lone import) joins the next piece, or the previous one when there is no next at hand.
   * Then runs of small neighbours with the same enclosing names merge, as long as the cap allows.
   */
  private mergeSmall(table: LineTable, pieces: Piece[]): Piece[] {
    const { minChunkTokens: min } = this.options;
    const attached: Piece[] = [];
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (!(piece.glue && piece.tokens < min && !piece.columns)) {
        attached.push(piece);
        continue;
      }
      // A closing `}` or `end` belongs to the code before it; a `private:` or a lone import to the code after.
      const closes = /^\s*([}\])]|end\b)/.test(piece.text);
      const next = pieces[i + 1];
      const last = attached[attached.length - 1];
      const toNext = () => {
        if (!next || next.columns || next.part || !this.adjacent(table, piece, next)) return false;
        const joined = this.join(table, piece, next, next);
        if (joined) pieces[i + 1] = joined;
        return joined !== undefined;
      };
      const toLast = () => {
        if (!last || last.columns || last.part || !this.adjacent(table, last, piece)) return false;
        const joined = this.join(table, last, piece, last);
        if (joined) attached[attached.length - 1] = joined;
        return joined !== undefined;
      };
      if (closes ? toLast() || toNext() : toNext() || toLast()) continue;
      attached.push(piece);
    }
    const out: Piece[] = [];
    for (const piece of attached) {
      const last = out[out.length - 1];
      const mergeable =
        last &&
        last.tokens < min &&
        piece.tokens < min &&
        !last.columns &&
        !piece.columns &&
        !last.part &&
        !piece.part &&
        sameNames(last.enclosing, piece.enclosing) &&
        this.adjacent(table, last, piece);
      const joined = mergeable ? this.join(table, last, piece, last.glue ? piece : last) : undefined;
      if (joined) out[out.length - 1] = joined;
      else out.push(piece);
    }
    return out;
  }

  private adjacent(table: LineTable, a: Piece, b: Piece): boolean {
    return b.startRow > a.endRow && (b.startRow === a.endRow + 1 || table.isBlank(a.endRow + 1, b.startRow - 1));
  }

  /** `a` and `b` (in file order) as one piece named like `lead`, or undefined when that is over the cap. */
  private join(table: LineTable, a: Piece, b: Piece, lead: Piece): Piece | undefined {
    const text = table.textOf(a.startRow, b.endRow);
    const tokens = this.countIn(table, text);
    if (tokens > this.options.maxChunkTokens) return undefined;
    const glue = a.glue && b.glue;
    return {
      startRow: a.startRow,
      endRow: b.endRow,
      text,
      tokens,
      glue,
      kind: a.kind === b.kind || a.glue || b.glue ? lead.kind : 'block',
      symbols: [...new Set([...a.symbols, ...b.symbols])],
      enclosing: lead.enclosing,
      signature: lead.signature ?? a.signature ?? b.signature,
    };
  }
}

function isMinified(text: string, lines: number, maxAverage: number): boolean {
  return text.length >= 4096 && text.length / lines > maxAverage;
}

function windowPiece(span: Span): Piece {
  return { ...span, glue: false, kind: 'window', symbols: [], enclosing: [] };
}

function descendantNames(children: Definition[], prefix: string): string[] {
  const out: string[] = [];
  for (const child of children) {
    const name = `${prefix}.${child.name}`;
    out.push(name, ...descendantNames(child.children, name));
  }
  return out;
}

function sameNames(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function toChunk(file: string, language: string, p: Piece): Chunk {
  const chunk: Chunk = {
    file,
    startLine: p.startRow + 1,
    endLine: p.endRow + 1,
    kind: p.kind,
    symbols: p.symbols,
    enclosing: p.enclosing,
    language,
    tokens: p.tokens,
    text: p.text,
  };
  if (p.columns) chunk.columns = p.columns;
  if (p.signature) chunk.signature = p.signature;
  if (p.part) chunk.part = p.part;
  return chunk;
}

/** The stable id of a chunk: `file#start-end`, plus `:column` for a slice of one line. */
export function chunkId(chunk: Pick<Chunk, 'file' | 'startLine' | 'endLine' | 'columns'>): string {
  return `${chunk.file}#${chunk.startLine}-${chunk.endLine}${chunk.columns ? `:${chunk.columns.start}` : ''}`;
}
