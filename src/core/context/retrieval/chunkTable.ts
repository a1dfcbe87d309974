import { createHash } from 'node:crypto';
import type { Chunk, ChunkKind } from './types';

// The chunks of the index by document number: metadata, text and content hash. Texts of a loaded index
// stay in the loaded file's buffer and are decoded when a search returns them, so a reopened workspace
// does not turn 50 MB of source back into strings it may never show.

/** A chunk as stored: everything but the text, plus the hash of the text (the key of its vector). */
export interface StoredChunk extends Omit<Chunk, 'text'> {
  hash: string;
}

/** The hash that keys a chunk's vector: the first 8 bytes of SHA-1 of its text, as hex. */
export function chunkHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16);
}

/** The saved form: one JSON-able row per chunk and the texts as one UTF-8 blob. */
export interface ChunkTableSnapshot {
  rows: unknown[];
  files: string[];
  languages: string[];
  blob: Buffer;
  /** Byte start and length of each chunk's text in `blob`. */
  spans: Uint32Array;
}

type Row = [
  file: number,
  start: number,
  end: number,
  kind: ChunkKind,
  tokens: number,
  hash: string,
  symbols: string[],
  enclosing: string[],
  language: number,
  signature?: string | 0,
  part?: [number, number] | 0,
  columns?: [number, number] | 0,
];

export class ChunkTable {
  private metas: (StoredChunk | undefined)[] = [];
  private texts: (string | undefined)[] = [];
  private blob: Buffer | undefined;
  private spans: Uint32Array | undefined;
  private live = 0;

  /** One past the highest document number. */
  get size(): number {
    return this.metas.length;
  }

  /** Chunks not removed. */
  get count(): number {
    return this.live;
  }

  /** Adds a chunk; returns its document number. */
  add(chunk: Chunk, hash = chunkHash(chunk.text)): number {
    const { text, ...meta } = chunk;
    const doc = this.metas.length;
    this.metas.push({ ...meta, hash });
    this.texts.push(text);
    this.live++;
    return doc;
  }

  remove(doc: number): void {
    if (this.metas[doc] === undefined) return;
    this.metas[doc] = undefined;
    this.texts[doc] = undefined;
    this.live--;
  }

  meta(doc: number): StoredChunk | undefined {
    return this.metas[doc];
  }

  /** The chunk's text (decoded from the loaded file on first use). */
  text(doc: number): string {
    const own = this.texts[doc];
    if (own !== undefined) return own;
    if (!this.blob || !this.spans || this.metas[doc] === undefined) return '';
    const text = this.blob.toString('utf8', this.spans[doc * 2], this.spans[doc * 2] + this.spans[doc * 2 + 1]);
    this.texts[doc] = text;
    return text;
  }

  /** The whole chunk as handed out (a copy). */
  chunk(doc: number): Chunk | undefined {
    const meta = this.metas[doc];
    if (!meta) return undefined;
    const { hash: _hash, ...rest } = meta;
    return { ...rest, symbols: [...rest.symbols], enclosing: [...rest.enclosing], text: this.text(doc) };
  }

  /** Live document numbers, in order. */
  *docs(): IterableIterator<number> {
    for (let doc = 0; doc < this.metas.length; doc++) if (this.metas[doc] !== undefined) yield doc;
  }

  /** Drops removed chunks and renumbers: `remap[old]` is the new number or -1. */
  compact(): { remap: Int32Array; count: number } {
    const remap = new Int32Array(this.metas.length).fill(-1);
    const metas: StoredChunk[] = [];
    const texts: string[] = [];
    for (let doc = 0; doc < this.metas.length; doc++) {
      const meta = this.metas[doc];
      if (!meta) continue;
      remap[doc] = metas.length;
      metas.push(meta);
      texts.push(this.text(doc));
    }
    this.metas = metas;
    this.texts = texts;
    this.blob = undefined;
    this.spans = undefined;
    return { remap, count: metas.length };
  }

  /** The saved form. Call after `compact` (document numbers without gaps). */
  snapshot(): ChunkTableSnapshot {
    const files = new Map<string, number>();
    const languages = new Map<string, number>();
    const index = (map: Map<string, number>, key: string) => {
      let i = map.get(key);
      if (i === undefined) map.set(key, (i = map.size));
      return i;
    };
    const rows: Row[] = [];
    const buffers: Buffer[] = [];
    const spans = new Uint32Array(this.metas.length * 2);
    let offset = 0;
    for (let doc = 0; doc < this.metas.length; doc++) {
      const m = this.metas[doc];
      if (!m) throw new RangeError(`chunk table has a gap at ${doc}: compact before saving`);
      const row: Row = [index(files, m.file), m.startLine, m.endLine, m.kind, m.tokens, m.hash, m.symbols, m.enclosing, index(languages, m.language)];
      if (m.signature || m.part || m.columns)
        row.push(m.signature ?? 0, m.part ? [m.part.index, m.part.count] : 0, m.columns ? [m.columns.start, m.columns.end] : 0);
      rows.push(row);
      const bytes = Buffer.from(this.text(doc), 'utf8');
      buffers.push(bytes);
      spans[doc * 2] = offset;
      spans[doc * 2 + 1] = bytes.length;
      offset += bytes.length;
    }
    return { rows, files: [...files.keys()], languages: [...languages.keys()], blob: Buffer.concat(buffers, offset), spans };
  }

  /** A table from its saved form. Throws RangeError on anything inconsistent. */
  static fromSnapshot(s: ChunkTableSnapshot): ChunkTable {
    const table = new ChunkTable();
    if (s.spans.length !== s.rows.length * 2) throw new RangeError(`chunk table: ${s.rows.length} rows but ${s.spans.length / 2} text spans`);
    for (let doc = 0; doc < s.rows.length; doc++) {
      const row = s.rows[doc] as Row;
      if (!Array.isArray(row) || row.length < 9) throw new RangeError(`chunk table: row ${doc} is malformed`);
      const [file, startLine, endLine, kind, tokens, hash, symbols, enclosing, language, signature, part, columns] = row;
      if (
        typeof s.files[file] !== 'string' ||
        typeof s.languages[language] !== 'string' ||
        typeof hash !== 'string' ||
        !Array.isArray(symbols) ||
        !Array.isArray(enclosing)
      ) {
        throw new RangeError(`chunk table: row ${doc} names an unknown file or language`);
      }
      if (s.spans[doc * 2] + s.spans[doc * 2 + 1] > s.blob.length) throw new RangeError(`chunk table: text of row ${doc} is outside the text blob`);
      const meta: StoredChunk = { file: s.files[file], startLine, endLine, kind, symbols, enclosing, language: s.languages[language], tokens, hash };
      if (signature) meta.signature = signature;
      if (part) meta.part = { index: part[0], count: part[1] };
      if (columns) meta.columns = { start: columns[0], end: columns[1] };
      table.metas.push(meta);
    }
    table.texts = new Array<string | undefined>(s.rows.length);
    table.blob = s.blob;
    table.spans = s.spans;
    table.live = s.rows.length;
    return table;
  }
}
