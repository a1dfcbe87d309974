// The priority queue of the long-piece merge (longPieces.ts): pairs waiting to merge, by rank. A binary heap over
// the 3 M byte-parts of a 1 MB CJK piece spent most of its time sifting (cache misses on every comparison); here
// each rank is a bucket, the lowest non-empty bucket is found through a two-level bitmap, and a bucket is handed
// out whole, sorted by position, because merges of one rank run left to right.

/** Buckets of part positions by rank, for ranks below `rankCount`; reusable across merges (take() empties). */
export class RankBuckets {
  private readonly heads: Int32Array;
  private readonly words: Uint32Array;
  private readonly summary: Uint32Array;
  private entryPos: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private entryNext: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private used = 0;
  private scratch: Int32Array<ArrayBuffer> = new Int32Array(1024);
  /** No bucket below this rank is non-empty. */
  private floor = 0;
  private nonEmpty = 0;

  constructor(readonly rankCount: number) {
    this.heads = new Int32Array(rankCount).fill(-1);
    this.words = new Uint32Array(Math.ceil(rankCount / 32));
    this.summary = new Uint32Array(Math.ceil(this.words.length / 32));
  }

  /** Queues position `pos` under `rank`. */
  push(rank: number, pos: number): void {
    if (this.used === this.entryPos.length) {
      this.entryPos = grow(this.entryPos);
      this.entryNext = grow(this.entryNext);
    }
    const e = this.used++;
    this.entryPos[e] = pos;
    this.entryNext[e] = this.heads[rank];
    if (this.heads[rank] < 0) {
      this.nonEmpty++;
      const w = rank >>> 5;
      this.words[w] |= 1 << (rank & 31);
      this.summary[w >>> 5] |= 1 << (w & 31);
    }
    this.heads[rank] = e;
    if (rank < this.floor) this.floor = rank;
  }

  /** The lowest rank with a queued position, or -1 when every bucket is empty. */
  lowest(): number {
    const { words, summary } = this;
    let w = this.floor >>> 5;
    // Finish the floor's own word first, then find the next non-empty word through the summary.
    const first = words[w] & (~0 << (this.floor & 31));
    if (first === 0) {
      w++;
      let s = w >>> 5;
      let bits = s < summary.length ? summary[s] & (~0 << (w & 31)) : 0;
      while (bits === 0) {
        if (++s >= summary.length) {
          this.floor = this.rankCount;
          return -1;
        }
        bits = summary[s];
      }
      w = (s << 5) + ctz(bits);
      this.floor = (w << 5) + ctz(words[w]);
    } else this.floor = (w << 5) + ctz(first);
    return this.floor;
  }

  /** Empties bucket `rank` and returns its positions in ascending order (valid until the next take). */
  take(rank: number): Int32Array {
    let k = 0;
    for (let e = this.heads[rank]; e >= 0; e = this.entryNext[e]) {
      if (k === this.scratch.length) this.scratch = grow(this.scratch);
      this.scratch[k++] = this.entryPos[e];
    }
    this.heads[rank] = -1;
    const w = rank >>> 5;
    this.words[w] &= ~(1 << (rank & 31));
    if (this.words[w] === 0) this.summary[w >>> 5] &= ~(1 << (w & 31));
    if (k > 0 && --this.nonEmpty === 0) this.used = 0; // the entries of an emptied queue are free again
    return this.scratch.subarray(0, k).sort();
  }

  /** Gives back the entry storage a huge piece grew (18.9 MB of it after a 1 MB single-piece CJK line). */
  release(): void {
    if (this.entryPos.length <= KEPT_ENTRIES && this.scratch.length <= KEPT_ENTRIES) return;
    this.clear();
    this.entryPos = new Int32Array(1024);
    this.entryNext = new Int32Array(1024);
    this.scratch = new Int32Array(1024);
  }

  /** Empties every bucket (after a merge that stopped half-way). */
  clear(): void {
    if (this.nonEmpty === 0) return;
    this.heads.fill(-1);
    this.words.fill(0);
    this.summary.fill(0);
    this.nonEmpty = 0;
    this.used = 0;
    this.floor = 0;
  }
}

// Entry storage kept between merges; more is given back after the merge that needed it.
const KEPT_ENTRIES = 1 << 16;

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Count of trailing zero bits of a non-zero 32-bit word. */
function ctz(x: number): number {
  return 31 - Math.clz32(x & -x);
}
