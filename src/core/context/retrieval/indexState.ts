import { ChunkTable, chunkHash } from './chunkTable';
import type { ChunkMode } from './chunker';
import { codeTerms } from './identifiers';
import { LexicalIndex, type Bm25Options } from './lexicalIndex';
import type { Chunk } from './types';
import { VectorStore } from './vectorStore';

// The in-memory index: files, their chunks, the lexical index and the vectors, kept consistent by the few
// mutations below. Each mutation is synchronous, so a search (which runs between the awaits of a job)
// always sees whole files. Vectors follow chunk content: a chunk whose text is unchanged (a moved function,
// a renamed file, a rebuild) takes the vector it had instead of being embedded again.

/** One indexed file. */
export interface FileEntry {
  path: string;
  fsPath?: string;
  /** SHA-1 of the content that was indexed. */
  hash: string;
  size: number;
  mtimeMs?: number;
  language: string;
  mode: ChunkMode;
  docs: number[];
}

/** Symbols count twice: a query naming a function should find its definition before its callers. */
const SYMBOL_WEIGHT = 2;

/** The search terms of a chunk: its text, its symbols (weighted) and its file path. */
export function chunkTerms(chunk: Pick<Chunk, 'text' | 'symbols' | 'file'>): string[] {
  const terms = codeTerms(chunk.text);
  if (chunk.symbols.length > 0) {
    const symbolTerms = codeTerms(chunk.symbols.join(' '));
    for (let i = 0; i < SYMBOL_WEIGHT; i++) terms.push(...symbolTerms);
  }
  codeTerms(chunk.file, terms);
  return terms;
}

export class IndexState {
  readonly files = new Map<string, FileEntry>();
  chunks = new ChunkTable();
  readonly lexical: LexicalIndex;
  vectors: VectorStore | undefined;
  /** Chunks still without a vector. */
  readonly pending = new Set<number>();
  /** A live document with a vector, per chunk hash. */
  private readonly vectorByHash = new Map<string, number>();
  /** A removed document whose vector data is retained until compaction, per chunk hash. */
  private readonly recycled = new Map<string, number>();
  /** Bytes of source of the indexed files. */
  totalBytes = 0;

  constructor(bm25: Bm25Options) {
    this.lexical = new LexicalIndex(bm25);
  }

  /** Replaces a file's chunks (or adds the file) in one synchronous step. */
  setFile(entry: Omit<FileEntry, 'docs'>, chunks: readonly Chunk[]): FileEntry {
    const old = this.files.get(entry.path);
    const docs: number[] = [];
    for (const chunk of chunks) {
      const hash = chunkHash(chunk.text);
      const doc = this.chunks.add(chunk, hash);
      this.lexical.add(doc, chunkTerms(chunk));
      docs.push(doc);
      const from = this.vectorByHash.get(hash) ?? this.recycled.get(hash);
      if (this.vectors && from !== undefined && this.vectors.retains(from)) {
        this.vectors.copy(from, doc);
        this.vectorByHash.set(hash, doc);
      } else {
        this.pending.add(doc);
      }
    }
    // The old chunks go after the new ones came, so an unchanged function keeps its vector.
    if (old) this.dropDocs(old);
    const stored: FileEntry = { ...entry, docs };
    this.files.set(entry.path, stored);
    this.totalBytes += entry.size;
    return stored;
  }

  /** Updates what is known about an unchanged file (a new mtime, a new fsPath). */
  touchFile(path: string, facts: Partial<Pick<FileEntry, 'size' | 'mtimeMs' | 'fsPath'>>): void {
    const entry = this.files.get(path);
    if (entry) Object.assign(entry, Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined)));
  }

  removeFile(path: string): void {
    const entry = this.files.get(path);
    if (!entry) return;
    this.dropDocs(entry);
    this.files.delete(path);
  }

  /** Forgets every file; vector data stays for reuse until the next compaction. */
  clear(): void {
    for (const entry of [...this.files.values()]) this.removeFile(entry.path);
  }

  private dropDocs(entry: FileEntry): void {
    for (const doc of entry.docs) {
      const meta = this.chunks.meta(doc);
      if (!meta) continue;
      this.chunks.remove(doc);
      this.lexical.remove(doc);
      this.pending.delete(doc);
      if (this.vectors?.has(doc)) {
        this.vectors.delete(doc);
        this.recycled.set(meta.hash, doc);
      }
      if (this.vectorByHash.get(meta.hash) === doc) this.vectorByHash.delete(meta.hash);
    }
    this.totalBytes -= entry.size;
  }

  /** Stores a chunk's vector (creating the store at the first vector's dimensions). */
  setVector(doc: number, vector: Float32Array): void {
    const meta = this.chunks.meta(doc);
    if (!meta) return;
    this.vectors ??= new VectorStore(vector.length);
    this.vectors.set(doc, vector);
    this.vectorByHash.set(meta.hash, doc);
    this.pending.delete(doc);
  }

  /** Drops every vector (the embedding model changed): every chunk is pending again. */
  resetVectors(): void {
    this.vectors = undefined;
    this.vectorByHash.clear();
    this.recycled.clear();
    this.pending.clear();
    for (const doc of this.chunks.docs()) this.pending.add(doc);
  }

  /** True when removed chunks or unmerged postings make a compaction worth it. */
  get needsCompaction(): boolean {
    return this.chunks.size !== this.chunks.count || this.lexical.deltaPostings > 0;
  }

  /** Renumbers documents without gaps and folds the lexical delta (before saving). */
  compact(): void {
    const { remap, count } = this.chunks.compact();
    this.lexical.compact(remap, count);
    this.vectors?.compact(remap, count);
    for (const entry of this.files.values()) entry.docs = entry.docs.map((doc) => remap[doc]).filter((doc) => doc >= 0);
    const pending = [...this.pending].map((doc) => remap[doc]).filter((doc) => doc >= 0);
    this.pending.clear();
    for (const doc of pending) this.pending.add(doc);
    this.recycled.clear();
    this.vectorByHash.clear();
    if (this.vectors) for (const doc of this.chunks.docs()) if (this.vectors.has(doc)) this.vectorByHash.set(this.chunks.meta(doc)!.hash, doc);
  }

  /** Rebuilds the hash -> vector map and the pending set after a load. */
  reindexVectors(): void {
    this.vectorByHash.clear();
    this.recycled.clear();
    this.pending.clear();
    for (const doc of this.chunks.docs()) {
      if (this.vectors?.has(doc)) this.vectorByHash.set(this.chunks.meta(doc)!.hash, doc);
      else this.pending.add(doc);
    }
  }
}
