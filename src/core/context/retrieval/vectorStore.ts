// Embedding vectors, stored compactly and searched without an ANN library. Each vector is kept twice:
// int8 codes with one float scale (768 + 4 bytes), and its sign bits (96 bytes at 768 dims); 50,000
// vectors of 768 dims take 43.4 MB. An exact int8 scan of 50,000 x 768 measured 46 ms on this machine,
// over the 20 ms query budget, so a search narrows down in three stages (binary quantization with
// rescoring): Hamming distance of the sign bits over all (1.7 ms) keeps 4x the candidates; the query's
// float values against those sign bits (asymmetric, about 7 ms if run over all 50,000) keep the
// candidates; their int8 codes give the final cosines. Below EXACT_BELOW vectors the scan is exact.

/** One vector match: cosine similarity (from the int8 codes) to the query. */
export interface VectorHit {
  doc: number;
  score: number;
}

/** Dense over documents 0..count-1; `present` is 1 for a vector, 0 for none (2, deleted, never persists). */
export interface VectorSnapshot {
  dimensions: number;
  present: Uint8Array;
  scales: Float32Array;
  codes: Int8Array;
  bits: Uint32Array;
}

const EXACT_BELOW = 4096;
/** Hamming keeps this many times the candidates for the sign-score stage (both stages on all: 7 ms, this: 3 ms). */
const PREFILTER = 4;

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** The k-th largest value (1-based) by quickselect; reorders `values`. */
function kthLargest(values: Float32Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = Math.min(values.length, k) - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] > pivot) i++;
      while (values[j] < pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i++] = values[j];
        values[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return values[target];
}

/** Int8 + sign-bit vectors, one slot per document number. */
export class VectorStore {
  readonly words: number;
  private capacity = 0;
  private present: Uint8Array = new Uint8Array(0);
  private scales: Float32Array = new Float32Array(0);
  private codes: Int8Array = new Int8Array(0);
  private bits: Uint32Array = new Uint32Array(0);
  private stored = 0;

  constructor(readonly dimensions: number) {
    if (!Number.isInteger(dimensions) || dimensions <= 0) throw new RangeError(`vector dimensions must be a positive integer, got ${dimensions}`);
    this.words = Math.ceil(dimensions / 32);
  }

  /** Vectors stored. */
  get count(): number {
    return this.stored;
  }

  /** Bytes held by the vectors of the current capacity. */
  get bytes(): number {
    return this.present.byteLength + this.scales.byteLength + this.codes.byteLength + this.bits.byteLength;
  }

  has(doc: number): boolean {
    return doc < this.capacity && this.present[doc] === 1;
  }

  /** True when the slot still holds the data of a deleted vector (until `compact`), so it can be copied back. */
  retains(doc: number): boolean {
    return doc < this.capacity && this.present[doc] !== 0;
  }

  /** Stores a vector for a document (any scale: it is normalised first). Throws on a wrong length. */
  set(doc: number, vector: ArrayLike<number>): void {
    if (vector.length !== this.dimensions) throw new RangeError(`vector of ${vector.length} dimensions for a store of ${this.dimensions}`);
    this.ensure(doc + 1);
    let norm = 0;
    let max = 0;
    for (let j = 0; j < vector.length; j++) {
      const v = vector[j];
      norm += v * v;
      if (Math.abs(v) > max) max = Math.abs(v);
    }
    norm = Math.sqrt(norm);
    const d = this.dimensions;
    const base = doc * d;
    const wordBase = doc * this.words;
    this.bits.fill(0, wordBase, wordBase + this.words);
    // A zero vector (empty input) keeps scale 0: it scores 0 against everything.
    const unit = norm > 0 ? 1 / norm : 0;
    const scale = norm > 0 ? (max * unit) / 127 : 0;
    for (let j = 0; j < d; j++) {
      const u = vector[j] * unit;
      this.codes[base + j] = scale > 0 ? Math.round(u / scale) : 0;
      if (u > 0) this.bits[wordBase + (j >> 5)] |= 1 << (j & 31);
    }
    this.scales[doc] = scale;
    if (this.present[doc] !== 1) this.stored++;
    this.present[doc] = 1;
  }

  /** Copies one document's vector, live or deleted-but-retained, to another slot (a chunk that moved or was re-cut unchanged). */
  copy(from: number, to: number): void {
    if (!this.retains(from) || from === to) return;
    this.ensure(to + 1);
    const d = this.dimensions;
    this.codes.copyWithin(to * d, from * d, from * d + d);
    this.bits.copyWithin(to * this.words, from * this.words, from * this.words + this.words);
    this.scales[to] = this.scales[from];
    if (this.present[to] !== 1) this.stored++;
    this.present[to] = 1;
  }

  /** Takes a vector out of searches. Its data stays until `compact`, so a chunk deleted and re-created keeps it. */
  delete(doc: number): void {
    if (!this.has(doc)) return;
    this.present[doc] = 2;
    this.stored--;
  }

  /** The best `limit` documents for a query vector, best first: sign-bit candidates rescored with int8. */
  search(query: ArrayLike<number>, limit: number, candidates = Math.max(limit * 10, 256)): VectorHit[] {
    if (this.stored === 0 || limit <= 0) return [];
    const q = this.unit(query);
    let docs = this.allDocs();
    if (this.stored <= EXACT_BELOW || candidates >= this.stored) return this.rescore(q, docs, limit);
    if (docs.length > candidates * PREFILTER) docs = this.hammingTop(q, docs, candidates * PREFILTER);
    return this.rescore(q, this.signTop(q, docs, candidates), limit);
  }

  /** Exact int8 scores over every stored vector (the reference for tests and the bench). */
  searchExact(query: ArrayLike<number>, limit: number): VectorHit[] {
    if (this.stored === 0 || limit <= 0) return [];
    return this.rescore(this.unit(query), this.allDocs(), limit);
  }

  /** Renumbers documents: `remap[old]` is the new number or -1. */
  compact(remap: Int32Array, newCount: number): void {
    const next = new VectorStore(this.dimensions);
    next.ensure(newCount);
    const d = this.dimensions;
    for (let doc = 0; doc < Math.min(remap.length, this.capacity); doc++) {
      const to = remap[doc];
      if (to < 0 || this.present[doc] !== 1) continue;
      next.codes.set(this.codes.subarray(doc * d, doc * d + d), to * d);
      next.bits.set(this.bits.subarray(doc * this.words, doc * this.words + this.words), to * this.words);
      next.scales[to] = this.scales[doc];
      next.present[to] = 1;
      next.stored++;
    }
    this.adopt(next.present, next.scales, next.codes, next.bits, next.capacity);
  }

  /** The vectors of documents 0..count-1 as typed arrays. */
  snapshot(count: number): VectorSnapshot {
    this.ensure(count);
    const present = this.present.slice(0, count);
    for (let i = 0; i < count; i++) if (present[i] !== 1) present[i] = 0;
    return {
      dimensions: this.dimensions,
      present,
      scales: this.scales.slice(0, count),
      codes: this.codes.slice(0, count * this.dimensions),
      bits: this.bits.slice(0, count * this.words),
    };
  }

  /** A store holding a snapshot's vectors. Throws on inconsistent lengths. */
  static fromSnapshot(s: VectorSnapshot): VectorStore {
    for (let i = 0; i < s.present.length; i++) if (s.present[i] > 1) throw new RangeError(`vector snapshot: slot ${i} has state ${s.present[i]}`);
    const store = new VectorStore(s.dimensions);
    const count = s.present.length;
    if (s.scales.length !== count || s.codes.length !== count * s.dimensions || s.bits.length !== count * store.words) {
      throw new RangeError(`vector snapshot: ${count} vectors of ${s.dimensions} dimensions do not match the array lengths`);
    }
    store.adopt(s.present, s.scales, s.codes, s.bits, count);
    return store;
  }

  private adopt(present: Uint8Array, scales: Float32Array, codes: Int8Array, bits: Uint32Array, capacity: number): void {
    this.present = present;
    this.scales = scales;
    this.codes = codes;
    this.bits = bits;
    this.capacity = capacity;
    this.stored = 0;
    for (let i = 0; i < capacity; i++) if (present[i] === 1) this.stored++;
  }

  private ensure(size: number): void {
    if (size <= this.capacity) return;
    const capacity = Math.max(size, Math.ceil(this.capacity * 1.5), 64);
    const grow = <T extends Uint8Array | Float32Array | Int8Array | Uint32Array>(old: T, per: number): T => {
      const next = new (old.constructor as new (n: number) => T)(capacity * per);
      next.set(old);
      return next;
    };
    this.present = grow(this.present, 1);
    this.scales = grow(this.scales, 1);
    this.codes = grow(this.codes, this.dimensions);
    this.bits = grow(this.bits, this.words);
    this.capacity = capacity;
  }

  private unit(query: ArrayLike<number>): Float32Array {
    if (query.length !== this.dimensions) throw new RangeError(`query vector of ${query.length} dimensions for a store of ${this.dimensions}`);
    let norm = 0;
    for (let j = 0; j < query.length; j++) norm += query[j] * query[j];
    const unit = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const q = new Float32Array(this.dimensions);
    for (let j = 0; j < q.length; j++) q[j] = query[j] * unit;
    return q;
  }

  private allDocs(): Int32Array {
    const docs = new Int32Array(this.stored);
    for (let doc = 0, k = 0; doc < this.capacity; doc++) if (this.present[doc] === 1) docs[k++] = doc;
    return docs;
  }

  /** The `wanted` documents with the fewest sign bits differing from the query's (a histogram, no sort). */
  private hammingTop(q: Float32Array, docs: Int32Array, wanted: number): Int32Array {
    const words = this.words;
    const qbits = new Uint32Array(words);
    for (let j = 0; j < q.length; j++) if (q[j] > 0) qbits[j >> 5] |= 1 << (j & 31);
    const distance = new Uint16Array(docs.length);
    const histogram = new Uint32Array(this.dimensions + 1);
    const bits = this.bits;
    for (let i = 0; i < docs.length; i++) {
      let h = 0;
      const base = docs[i] * words;
      for (let w = 0; w < words; w++) h += popcount(bits[base + w] ^ qbits[w]);
      distance[i] = h;
      histogram[h]++;
    }
    let threshold = 0;
    for (let seen = 0; threshold < this.dimensions; threshold++) {
      seen += histogram[threshold];
      if (seen >= wanted) break;
    }
    const out = new Int32Array(wanted);
    let k = 0;
    for (let i = 0; i < docs.length && k < wanted; i++) if (distance[i] < threshold) out[k++] = docs[i];
    for (let i = 0; i < docs.length && k < wanted; i++) if (distance[i] === threshold) out[k++] = docs[i];
    return out.subarray(0, k);
  }

  /**
   * The `wanted` documents whose sign bits score best against the float query: q . sign(d), summed a byte
   * of bits at a time from 256-entry tables of partial sums (asymmetric: the query keeps its values).
   */
  private signTop(q: Float32Array, docs: Int32Array, wanted: number): Int32Array {
    if (docs.length <= wanted) return docs;
    const bytesPer = this.words * 4;
    const tables = new Float32Array(bytesPer * 256);
    for (let b = 0; b < bytesPer; b++) {
      const base = b * 256;
      for (let x = 1; x < 256; x++) {
        const bit = 31 - Math.clz32(x & -x);
        const j = b * 8 + bit;
        tables[base + x] = tables[base + (x & (x - 1))] + (j < q.length ? q[j] : 0);
      }
    }
    const bytes = new Uint8Array(this.bits.buffer, this.bits.byteOffset, this.capacity * bytesPer);
    const scores = new Float32Array(docs.length);
    for (let i = 0; i < docs.length; i++) {
      const base = docs[i] * bytesPer;
      let acc = 0;
      for (let b = 0, t = 0; b < bytesPer; b++, t += 256) acc += tables[t + bytes[base + b]];
      scores[i] = acc;
    }
    const threshold = kthLargest(Float32Array.from(scores), wanted);
    const out = new Int32Array(wanted);
    let k = 0;
    for (let i = 0; i < docs.length && k < wanted; i++) if (scores[i] > threshold) out[k++] = docs[i];
    for (let i = 0; i < docs.length && k < wanted; i++) if (scores[i] === threshold) out[k++] = docs[i];
    return out.subarray(0, k);
  }

  private rescore(q: Float32Array, docs: Int32Array, limit: number): VectorHit[] {
    const d = this.dimensions;
    const codes = this.codes;
    const hits: VectorHit[] = new Array(docs.length);
    for (let i = 0; i < docs.length; i++) {
      const doc = docs[i];
      const base = doc * d;
      let dot = 0;
      for (let j = 0; j < d; j++) dot += q[j] * codes[base + j];
      hits[i] = { doc, score: dot * this.scales[doc] };
    }
    hits.sort((a, b) => b.score - a.score || a.doc - b.doc);
    return hits.slice(0, limit);
  }
}
