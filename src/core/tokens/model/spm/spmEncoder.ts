import { SpmUnencodableError } from './spmErrors';
import { HASH_BASE, SPACE_MARK, type SpmTable, findToken, pairOccurs } from './spmVocabTable';

/** Receives each token of an encoding: its id and the UTF-16 span it covers (see SpmEncoder.encode). */
export type TokenSink = (id: number, start: number, end: number) => void;

/** Chunks up to this many UTF-16 units have their token count memoized (words and short code runs repeat). */
const CACHE_MAX_UNITS = 64;
const CACHE_MAX_ENTRIES = 100_000;
const POSITION_SCALE = 2 ** 32;

/**
 * llama.cpp's `llm_tokenizer_spm_session::tokenize` for one text fragment: the fragment is split into code points,
 * every adjacent pair whose concatenation is a token goes into a priority queue keyed by that token's score (ties:
 * leftmost first), the best pair is merged and its new neighbours are queued, until nothing merges. A symbol that is
 * a token is emitted as that token, any other (always a single code point) as its UTF-8 bytes' `<0xHH>` tokens.
 * Spaces are read as U+2581 (llama_escape_whitespace).
 *
 * Speed without approximation: the fragment is first cut wherever two adjacent characters occur together in no
 * token (SpmTable.pairs). No symbol can span such a cut, so merges on either side never interact and each side
 * gives exactly the tokens it gives inside the whole (queue order between the sides is irrelevant). Pieces are
 * mostly words; their counts are memoized. A piece with no cut at all (a 1 MB run of one letter) still runs in
 * O(n log n): there is no quadratic case, so nothing is ever split for speed.
 *
 * One encoder reuses its buffers across calls; it is not reentrant.
 */
export class SpmEncoder {
  private readonly memo = new Map<string, number>();
  private cap = 0;
  private symStart = new Int32Array(0);
  private symLen = new Int32Array(0);
  private symHash = new Int32Array(0);
  private symPrev = new Int32Array(0);
  private symNext = new Int32Array(0);
  private symId = new Int32Array(0);
  // Queued bigrams: an append-only pool, and a binary min-heap of (score order * 2^32 + left, pool index).
  private poolCap = 0;
  private poolSize = 0;
  private pLeft = new Int32Array(0);
  private pRight = new Int32Array(0);
  private pSize = new Int32Array(0);
  private pId = new Int32Array(0);
  private pHash = new Int32Array(0);
  private heapSize = 0;
  private hKey = new Float64Array(0);
  private hIdx = new Int32Array(0);
  // Single code point -> token id: 0 = not looked up yet, id + 1, or -1 = not a token.
  private readonly bmpId = new Int32Array(0x10000);
  private readonly astralId = new Map<number, number>();

  constructor(private readonly table: SpmTable) {}

  /**
   * Tokens of units [from, to) of `s` (which must be well-formed UTF-16), preceded by a virtual U+2581 when
   * `spacePrefix` (llama.cpp's add_space_prefix). `sink`, when given, receives every token with the offsets in `s`
   * where it starts and ends (the virtual prefix starts at from - 1). A character encoded as k byte tokens has its
   * first token start at the character, the others after it, and its last token end after it, the others before
   * it: a cut taken from these offsets never splits a code point and never keeps part of a character's bytes.
   */
  encode(s: string, from: number, to: number, spacePrefix: boolean, sink?: TokenSink): number {
    let work = s;
    let a = from;
    let b = to;
    let shift = 0;
    if (spacePrefix) {
      work = ' ' + s.slice(from, to);
      a = 0;
      b = work.length;
      shift = from - 1;
    }
    if (b <= a) return 0;
    const table = this.table;
    let count = 0;
    let start = a;
    let prev = work.charCodeAt(a);
    if (prev === 0x20) prev = SPACE_MARK;
    for (let i = a + 1; i < b; i++) {
      let u = work.charCodeAt(i);
      if ((u & 0xfc00) === 0xdc00) {
        // The second half of a surrogate pair is never a boundary.
        prev = u;
        continue;
      }
      if (u === 0x20) u = SPACE_MARK;
      if (!pairOccurs(table, prev, u)) {
        count += this.piece(work, start, i, shift, sink);
        start = i;
      }
      prev = u;
    }
    return count + this.piece(work, start, b, shift, sink);
  }

  /** Drops memoized counts (they depend only on the vocabulary, so this only frees memory). */
  clearMemo(): void {
    this.memo.clear();
  }

  private piece(work: string, a: number, b: number, shift: number, sink: TokenSink | undefined): number {
    if (sink || b - a > CACHE_MAX_UNITS) return this.session(work, a, b, shift, sink);
    const key = work.slice(a, b);
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const n = this.session(work, a, b, shift, undefined);
    if (this.memo.size >= CACHE_MAX_ENTRIES) this.memo.clear();
    this.memo.set(key, n);
    return n;
  }

  private session(work: string, a: number, b: number, shift: number, sink: TokenSink | undefined): number {
    const n = this.split(work, a, b);
    if (n > 1) this.merge(work, n);
    return this.emit(work, shift, sink);
  }

  /** Fills the symbol arrays with one symbol per code point; returns the symbol count. */
  private split(work: string, a: number, b: number): number {
    this.ensureSymbols(b - a);
    const { symStart, symLen, symHash, symPrev, symNext, symId, bmpId } = this;
    let n = 0;
    for (let i = a; i < b;) {
      let u = work.charCodeAt(i);
      let len = 1;
      let h: number;
      let id: number;
      if (u >= 0xd800 && u <= 0xdbff && i + 1 < b) {
        const lo = work.charCodeAt(i + 1);
        len = 2;
        h = (Math.imul(u, HASH_BASE) + lo) | 0;
        const cp = ((u - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        let known = this.astralId.get(cp);
        if (known === undefined) {
          known = findToken(this.table, work, i, 2, h, true);
          this.astralId.set(cp, known);
        }
        id = known;
      } else {
        if (u === 0x20) u = SPACE_MARK;
        h = u;
        const cached = bmpId[u];
        if (cached === 0) {
          id = findToken(this.table, work, i, 1, h, true);
          bmpId[u] = id < 0 ? -1 : id + 1;
        } else id = cached < 0 ? -1 : cached - 1;
      }
      symStart[n] = i;
      symLen[n] = len;
      symHash[n] = h;
      symId[n] = id;
      symPrev[n] = n - 1;
      symNext[n] = n + 1;
      n++;
      i += len;
    }
    symNext[n - 1] = -1;
    return n;
  }

  private merge(work: string, n: number): void {
    this.poolSize = 0;
    this.heapSize = 0;
    // n - 1 seeds plus at most two per merge, and at most n - 1 merges: the pool never grows mid-loop.
    this.ensurePool(3 * n);
    for (let i = 1; i < n; i++) this.tryAdd(work, i - 1, i, false);
    // Seeding appends without ordering; one heapify is O(n) where n pushes would be O(n log n).
    for (let i = (this.heapSize >> 1) - 1; i >= 0; i--) this.siftDown(i);
    const { symLen, symHash, symNext, symPrev, symId, pLeft, pRight, pSize, pId, pHash } = this;
    while (this.heapSize > 0) {
      const e = this.hIdx[0];
      this.pop();
      const left = pLeft[e];
      const right = pRight[e];
      const size = pSize[e];
      // A bigram whose sides changed since it was queued is stale (llama.cpp's size check: symbols only grow).
      const ll = symLen[left];
      const rl = symLen[right];
      if (ll === 0 || rl === 0 || ll + rl !== size) continue;
      symLen[left] = size;
      symHash[left] = pHash[e];
      symId[left] = pId[e];
      symLen[right] = 0;
      const next = symNext[right];
      symNext[left] = next;
      if (next >= 0) symPrev[next] = left;
      this.tryAdd(work, symPrev[left], left, true);
      this.tryAdd(work, left, next, true);
    }
  }

  private tryAdd(work: string, left: number, right: number, ordered: boolean): void {
    if (left < 0 || right < 0) return;
    const table = this.table;
    const rl = this.symLen[right];
    const size = this.symLen[left] + rl;
    if (size > table.maxLen) return;
    const hash = (Math.imul(this.symHash[left], table.pow[rl]) + this.symHash[right]) | 0;
    const id = findToken(table, work, this.symStart[left], size, hash, true);
    if (id < 0) return;
    if (this.poolSize === this.poolCap) this.growPool();
    const e = this.poolSize++;
    this.pLeft[e] = left;
    this.pRight[e] = right;
    this.pSize[e] = size;
    this.pId[e] = id;
    this.pHash[e] = hash;
    const at = this.heapSize++;
    this.hKey[at] = table.scoreOrder[id] * POSITION_SCALE + left;
    this.hIdx[at] = e;
    if (ordered) this.siftUp(at);
  }

  private emit(work: string, shift: number, sink: TokenSink | undefined): number {
    const { symStart, symLen, symNext, symId } = this;
    const byteToken = this.table.byteToken;
    let count = 0;
    for (let i = 0; i !== -1; i = symNext[i]) {
      const start = symStart[i];
      const len = symLen[i];
      const id = symId[i];
      if (id >= 0) {
        count++;
        if (sink) sink(id, start + shift, start + len + shift);
        continue;
      }
      // Only a single code point can be a non-token symbol: every merge produces a token.
      const cp = work.codePointAt(start)!;
      const bytes = utf8Bytes(cp === 0x20 ? SPACE_MARK : cp);
      for (let k = 0; k < bytes.length; k++) {
        const tok = byteToken[bytes[k]];
        if (tok < 0) throw new SpmUnencodableError(cp, start + shift);
        count++;
        if (sink) sink(tok, (k === 0 ? start : start + len) + shift, (k === bytes.length - 1 ? start + len : start) + shift);
      }
    }
    return count;
  }

  private ensureSymbols(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(n, this.cap * 2, 256);
    this.cap = cap;
    this.symStart = new Int32Array(cap);
    this.symLen = new Int32Array(cap);
    this.symHash = new Int32Array(cap);
    this.symPrev = new Int32Array(cap);
    this.symNext = new Int32Array(cap);
    this.symId = new Int32Array(cap);
  }

  private ensurePool(n: number): void {
    if (n > this.poolCap) this.resizePool(Math.max(n, this.poolCap * 2, 256));
  }

  private growPool(): void {
    this.resizePool(this.poolCap * 2);
  }

  private resizePool(cap: number): void {
    const keep = this.poolSize;
    const heap = this.heapSize;
    const ints = (old: Int32Array, used: number) => {
      const next = new Int32Array(cap);
      next.set(old.subarray(0, used));
      return next;
    };
    this.pLeft = ints(this.pLeft, keep);
    this.pRight = ints(this.pRight, keep);
    this.pSize = ints(this.pSize, keep);
    this.pId = ints(this.pId, keep);
    this.pHash = ints(this.pHash, keep);
    this.hIdx = ints(this.hIdx, heap);
    const keys = new Float64Array(cap);
    keys.set(this.hKey.subarray(0, heap));
    this.hKey = keys;
    this.poolCap = cap;
  }

  private siftUp(i: number): void {
    const { hKey, hIdx } = this;
    const key = hKey[i];
    const idx = hIdx[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (hKey[parent] <= key) break;
      hKey[i] = hKey[parent];
      hIdx[i] = hIdx[parent];
      i = parent;
    }
    hKey[i] = key;
    hIdx[i] = idx;
  }

  private siftDown(i: number): void {
    const { hKey, hIdx } = this;
    const size = this.heapSize;
    const key = hKey[i];
    const idx = hIdx[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && hKey[c + 1] < hKey[c]) c++;
      if (hKey[c] >= key) break;
      hKey[i] = hKey[c];
      hIdx[i] = hIdx[c];
      i = c;
    }
    hKey[i] = key;
    hIdx[i] = idx;
  }

  private pop(): void {
    const last = --this.heapSize;
    if (last > 0) {
      this.hKey[0] = this.hKey[last];
      this.hIdx[0] = this.hIdx[last];
      this.siftDown(0);
    }
  }
}

/** UTF-8 bytes of one code point. */
function utf8Bytes(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 63)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
}
