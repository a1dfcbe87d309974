import path from 'node:path';
import { ChunkTable } from './chunkTable';
import { CorruptIndexError } from './errors';
import type { FileEntry, IndexState } from './indexState';
import { fileSize, readContainer, removeFile, sectionArray, writeContainer } from './persistence';
import { VectorStore } from './vectorStore';

// The index in the storage folder: `index.bin` (files, chunks with their texts, the lexical index) and
// `vectors.bin` (vectors keyed by chunk hash, so they survive re-chunking and are reused whatever the
// document numbers). Both are rewritten whole, atomically; a file that fails any check is deleted and the
// index rebuilt from the workspace.

const INDEX_MAGIC = 'THRX';
const VECTOR_MAGIC = 'THRV';
export const INDEX_FILE = 'index.bin';
export const VECTOR_FILE = 'vectors.bin';

/** What must match for saved vectors to be reused (the input budget is compared after the model is probed). */
export interface VectorKey {
  model: string;
  documentPrefix: string;
}

/** The sizes of what was written. */
export interface SaveReport {
  indexBytes: number;
  vectorBytes: number;
}

/** The bytes the saved files would take, before writing them (for the disk limit). */
export function estimateSavedBytes(state: IndexState): number {
  const dims = state.vectors?.dimensions ?? 0;
  const vectors = state.vectors ? state.vectors.count * (16 + 4 + dims + 4 * Math.ceil(dims / 32)) : 0;
  return state.totalBytes + state.lexical.postingCount * 6 + state.lexical.termCount * 12 + state.chunks.count * 160 + vectors;
}

/** Saves the (compacted) state. */
export async function saveIndex(
  dir: string,
  state: IndexState,
  fingerprint: string,
  vectorKey: (VectorKey & { budgetBytes: number }) | undefined,
): Promise<SaveReport> {
  if (state.needsCompaction) state.compact();
  const chunks = state.chunks.snapshot();
  const lexical = state.lexical.snapshot();
  const files = [...state.files.values()].map(({ docs: _docs, ...entry }) => entry);
  // Each file's chunk list, as [count, doc, doc, ...] in the order of `files`.
  const fileDocs = new Uint32Array([...state.files.values()].flatMap((e) => [e.docs.length, ...e.docs]));
  const indexBytes = await writeContainer(
    path.join(dir, INDEX_FILE),
    INDEX_MAGIC,
    {
      fingerprint,
      savedAt: new Date().toISOString(),
      files,
      chunkFiles: chunks.files,
      languages: chunks.languages,
      rows: chunks.rows,
    },
    {
      terms: Buffer.from(lexical.terms, 'utf8'),
      offsets: lexical.offsets,
      docs: lexical.docs,
      tfs: lexical.tfs,
      docLengths: lexical.docLengths,
      blob: chunks.blob,
      spans: chunks.spans,
      fileDocs,
    },
  );
  let vectorBytes = 0;
  if (state.vectors && vectorKey) {
    const store = state.vectors;
    const docs = [...state.chunks.docs()].filter((doc) => store.has(doc));
    const snap = store.snapshot(state.chunks.size);
    const d = store.dimensions;
    const words = store.words;
    const hashes = Buffer.alloc(docs.length * 16);
    const scales = new Float32Array(docs.length);
    const codes = new Int8Array(docs.length * d);
    const bits = new Uint32Array(docs.length * words);
    docs.forEach((doc, i) => {
      hashes.write(state.chunks.meta(doc)!.hash, i * 16, 16, 'latin1');
      scales[i] = snap.scales[doc];
      codes.set(snap.codes.subarray(doc * d, doc * d + d), i * d);
      bits.set(snap.bits.subarray(doc * words, doc * words + words), i * words);
    });
    vectorBytes = await writeContainer(
      path.join(dir, VECTOR_FILE),
      VECTOR_MAGIC,
      { ...vectorKey, dimensions: d, count: docs.length },
      { hashes, scales, codes, bits },
    );
  }
  return { indexBytes, vectorBytes };
}

/** What a load found. */
export interface LoadReport {
  loaded: boolean;
  /** Set when a saved file was unusable (and deleted): which and why. */
  corrupt?: { file: string; reason: string };
  vectors: number;
  /** The input budget the saved vectors were made with. */
  vectorBudgetBytes?: number;
}

/**
 * Loads the saved index into an empty state. A missing file is `loaded: false`; an unusable one (bad
 * checksum, other format, other options, inconsistent arrays) is deleted and reported as `corrupt`.
 */
export async function loadIndex(dir: string, state: IndexState, fingerprint: string, vectorKey: VectorKey | undefined): Promise<LoadReport> {
  const indexFile = path.join(dir, INDEX_FILE);
  try {
    const container = await readContainer(indexFile, INDEX_MAGIC);
    if (!container) return { loaded: false, vectors: 0 };
    const h = container.header;
    if (h.fingerprint !== fingerprint) throw new CorruptIndexError(indexFile, 'saved with other chunking options or another token counter');
    const chunks = ChunkTable.fromSnapshot({
      rows: h.rows as unknown[],
      files: h.chunkFiles as string[],
      languages: h.languages as string[],
      blob: container.sections.get('blob') ?? Buffer.alloc(0),
      spans: sectionArray(container, 'spans', Uint32Array, indexFile),
    });
    state.lexical.load({
      terms: (container.sections.get('terms') ?? Buffer.alloc(0)).toString('utf8'),
      offsets: sectionArray(container, 'offsets', Uint32Array, indexFile),
      docs: sectionArray(container, 'docs', Int32Array, indexFile),
      tfs: sectionArray(container, 'tfs', Uint16Array, indexFile),
      docLengths: sectionArray(container, 'docLengths', Uint32Array, indexFile),
    });
    if (state.lexical.documentCount !== chunks.size)
      throw new CorruptIndexError(indexFile, `${chunks.size} chunks but ${state.lexical.documentCount} indexed documents`);
    const fileDocs = sectionArray(container, 'fileDocs', Uint32Array, indexFile);
    const files = h.files as Omit<FileEntry, 'docs'>[];
    if (!Array.isArray(files)) throw new CorruptIndexError(indexFile, 'no file list');
    let k = 0;
    state.chunks = chunks;
    for (const entry of files) {
      const n = fileDocs[k++];
      if (n === undefined || k + n > fileDocs.length) throw new CorruptIndexError(indexFile, 'file list and chunk list disagree');
      const docs = Array.from(fileDocs.subarray(k, k + n));
      k += n;
      if (docs.some((doc) => doc >= chunks.size)) throw new CorruptIndexError(indexFile, `${entry.path} names a chunk past the end`);
      state.files.set(entry.path, { ...entry, docs });
      state.totalBytes += entry.size;
    }
    const saved = vectorKey ? await loadVectors(dir, state, vectorKey) : undefined;
    state.reindexVectors();
    return { loaded: true, vectors: saved?.attached ?? 0, vectorBudgetBytes: saved?.budgetBytes };
  } catch (error) {
    // Whatever is wrong with a file that passed its checksum (a field of the wrong type, an index out of
    // range) is still a bad file: it is rebuilt, never a crash.
    const reason = error instanceof CorruptIndexError ? error.reason : `unreadable content (${error instanceof Error ? error.message : String(error)})`;
    await removeFile(indexFile);
    await removeFile(path.join(dir, VECTOR_FILE));
    return { loaded: false, corrupt: { file: INDEX_FILE, reason }, vectors: 0 };
  }
}

/** Attaches saved vectors to the loaded chunks by hash; an unusable vector file is only deleted. */
async function loadVectors(dir: string, state: IndexState, key: VectorKey): Promise<{ attached: number; budgetBytes: number } | undefined> {
  const file = path.join(dir, VECTOR_FILE);
  let container;
  try {
    container = await readContainer(file, VECTOR_MAGIC);
  } catch (error) {
    if (!(error instanceof CorruptIndexError)) throw error;
    await removeFile(file);
    return undefined;
  }
  if (!container) return undefined;
  const h = container.header;
  const d = Number(h.dimensions);
  const count = Number(h.count);
  if (h.model !== key.model || h.documentPrefix !== key.documentPrefix || typeof h.budgetBytes !== 'number' || !(d > 0) || !(count >= 0)) {
    await removeFile(file);
    return undefined;
  }
  const words = Math.ceil(d / 32);
  const hashes = container.sections.get('hashes');
  const scales = sectionArray(container, 'scales', Float32Array, file);
  const codes = sectionArray(container, 'codes', Int8Array, file);
  const bits = sectionArray(container, 'bits', Uint32Array, file);
  if (!hashes || hashes.length !== count * 16 || scales.length !== count || codes.length !== count * d || bits.length !== count * words) {
    await removeFile(file);
    return undefined;
  }
  const row = new Map<string, number>();
  for (let i = 0; i < count; i++) row.set(hashes.toString('latin1', i * 16, i * 16 + 16), i);
  const n = state.chunks.size;
  const present = new Uint8Array(n);
  const outScales = new Float32Array(n);
  const outCodes = new Int8Array(n * d);
  const outBits = new Uint32Array(n * words);
  let attached = 0;
  for (const doc of state.chunks.docs()) {
    const i = row.get(state.chunks.meta(doc)!.hash);
    if (i === undefined) continue;
    present[doc] = 1;
    outScales[doc] = scales[i];
    outCodes.set(codes.subarray(i * d, i * d + d), doc * d);
    outBits.set(bits.subarray(i * words, i * words + words), doc * words);
    attached++;
  }
  state.vectors = VectorStore.fromSnapshot({ dimensions: d, present, scales: outScales, codes: outCodes, bits: outBits });
  return { attached, budgetBytes: h.budgetBytes };
}

/** Bytes of the saved files now on disk. */
export async function savedBytes(dir: string): Promise<number> {
  return (await fileSize(path.join(dir, INDEX_FILE))) + (await fileSize(path.join(dir, VECTOR_FILE)));
}

/** Deletes the saved files (a rebuild). */
export async function deleteSavedIndex(dir: string): Promise<void> {
  await removeFile(path.join(dir, INDEX_FILE));
  await removeFile(path.join(dir, VECTOR_FILE));
}
