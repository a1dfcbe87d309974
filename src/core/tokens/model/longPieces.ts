import type { RunClassScheme } from './preTokenizers';
import { RankBuckets } from './rankBuckets';

// tiktoken's byte-pair merge is quadratic in the length of a piece (measured with Qwen3's vocabulary: a 4096-unit
// piece of one CJK character costs 15.6 ms per 1000 units, 64-unit pieces 0.37 ms), so a 1 MB line that the
// pre-tokenizer keeps whole would take minutes. Cutting such a run would change the count, so instead: when text
// holds a long run of one character class (the only way a piece gets long), the pieces are found here with the
// same pattern (JavaScript regex), runs of ordinary pieces still go to tiktoken in one call each, and each long
// piece is merged here in about linear time (rank buckets, rankBuckets.ts) with tiktoken's exact rule. Normal text
// never takes this path.

/** A run of one class at least this heavy (ASCII 1, any other UTF-16 unit 2) sends the text to the exact slow path. */
export const LONG_RUN_WEIGHT = 256;
/** Pieces at least this heavy are merged here instead of by tiktoken. */
export const LONG_PIECE_WEIGHT = 256;

const enum Cls {
  A = 0,
  B = 1,
  C = 2,
  D = 3,
}

const SCHEMES: Record<RunClassScheme, (ch: string) => Cls> = {
  // whitespace / letters and marks / numbers / the rest
  default: (ch) => (/[\p{L}\p{M}]/u.test(ch) ? Cls.B : /\p{N}/u.test(ch) ? Cls.C : /\s/u.test(ch) ? Cls.A : Cls.D),
  // letters / punctuation / numbers / the rest (whitespace included: deepseek-coder's gaps mix them)
  letterPunct: (ch) => (/\p{L}/u.test(ch) ? Cls.B : /\p{P}/u.test(ch) ? Cls.C : /\p{N}/u.test(ch) ? Cls.D : Cls.A),
};

/** Classifies characters for one scheme; the Basic Multilingual Plane is memoized (0 = not yet known). */
export class RunClassifier {
  private readonly bmp = new Uint8Array(0x10000);
  private readonly astral = new Map<number, Cls>();

  constructor(private readonly classify: (ch: string) => Cls) {
    for (let c = 0; c < 0x80; c++) this.bmp[c] = classify(String.fromCharCode(c)) + 1;
  }

  /** The classifier for a pre-tokenizer's run-class scheme. */
  static for(scheme: RunClassScheme): RunClassifier {
    return new RunClassifier(SCHEMES[scheme]);
  }

  /** True when `text` has a run of one class of at least `minWeight` (see LONG_RUN_WEIGHT). */
  hasLongRun(text: string, minWeight = LONG_RUN_WEIGHT): boolean {
    const n = text.length;
    if (n < minWeight / 2) return false;
    const bmp = this.bmp;
    let runClass = -1;
    let run = 0;
    for (let i = 0; i < n; i++) {
      const u = text.charCodeAt(i);
      let k: number;
      let w = 1;
      if (u < 0x80) k = bmp[u];
      else {
        w = 2;
        if (u >= 0xd800 && u <= 0xdbff && i + 1 < n) {
          const lo = text.charCodeAt(i + 1);
          if (lo >= 0xdc00 && lo <= 0xdfff) {
            const cp = ((u - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
            let a = this.astral.get(cp);
            if (a === undefined) {
              a = this.classify(String.fromCodePoint(cp));
              this.astral.set(cp, a);
            }
            k = a + 1;
            w = 4;
            i++;
          } else k = Cls.D + 1;
        } else {
          k = bmp[u];
          if (k === 0) {
            k = this.classify(String.fromCharCode(u)) + 1;
            bmp[u] = k;
          }
        }
      }
      if (k === runClass) run += w;
      else {
        runClass = k;
        run = w;
      }
      if (run >= minWeight) return true;
    }
    return false;
  }
}

/** Weight of text[start, end) in the units of LONG_PIECE_WEIGHT. */
export function pieceWeight(text: string, start: number, end: number): number {
  let w = 0;
  for (let i = start; i < end; i++) w += text.charCodeAt(i) < 0x80 ? 1 : 2;
  return w;
}

/** Token bytes by rank and rank by bytes (latin1 strings), parsed from tiktoken's rank file on first use. */
export class RankTable {
  private readonly byBytes = new Map<string, number>();
  private readonly bytesByRank: string[] = [];
  /** Rank of each single byte (-1: no token is that byte alone). */
  readonly byteRank = new Int32Array(256).fill(-1);
  /** Byte length of the longest token (a longer piece cannot be one token). */
  readonly maxBytes: number = 0;
  // Rank of the concatenation of two ranked tokens, keyed by left * RANK_SPAN + right (-1: no such token). Exact:
  // a rank names one byte string, so the pair's bytes, and their rank, follow from the two ranks alone.
  private readonly pairs = new Map<number, number>();
  private queue: RankBuckets | undefined;

  constructor(ranks: string) {
    for (const line of ranks.split('\n')) {
      const sp = line.indexOf(' ');
      const bytes = atob(line.slice(0, sp));
      const rank = Number(line.slice(sp + 1));
      this.byBytes.set(bytes, rank);
      this.bytesByRank[rank] = bytes;
      if (bytes.length === 1) this.byteRank[bytes.charCodeAt(0)] = rank;
      if (bytes.length > this.maxBytes) this.maxBytes = bytes.length;
    }
  }

  /** Rank of the token with these bytes (a latin1 string), if there is one. */
  rankOf(bytes: string): number | undefined {
    return this.byBytes.get(bytes);
  }

  /** Rank of the token whose bytes are those of rank `left` then rank `right`, or -1. */
  pairRank(left: number, right: number): number {
    const key = left * RANK_SPAN + right;
    let rank = this.pairs.get(key);
    if (rank === undefined) {
      rank = this.byBytes.get(this.bytesByRank[left] + this.bytesByRank[right]) ?? -1;
      // The memo lives as long as the tokenizer: past its bound it starts over rather than keep every pair of
      // every long piece ever counted.
      if (this.pairs.size >= MAX_MEMO_PAIRS) this.pairs.clear();
      this.pairs.set(key, rank);
    }
    return rank;
  }

  /** Byte length of the token with this rank. */
  byteLength(rank: number): number {
    return this.bytesByRank[rank].length;
  }

  /** The merge queue, sized to these ranks and reused by every merge (the merge is synchronous). */
  buckets(): RankBuckets {
    return (this.queue ??= new RankBuckets(this.bytesByRank.length));
  }
}

// The memo's bound (~10 MB); a 1.5 MB piece of random Han characters leaves 3.7 MB of it.
const MAX_MEMO_PAIRS = 1 << 18;
// Ranks are below 2^21 (the largest vocabularies have ~262 K tokens), so a pair key stays an exact double.
const RANK_SPAN = 2 ** 21;

/**
 * tiktoken's byte-pair merge for one piece: the whole piece when it is a token, else repeatedly the adjacent pair
 * whose concatenation has the lowest rank, leftmost first. O(n) buckets instead of tiktoken's rescans (see
 * rankBuckets.ts). Parts are tracked by rank, so a pair is looked up by two integers (memoized in the table) rather
 * than by slicing bytes; a part with no rank (a lone byte that is no token) falls back to its bytes. Returns the
 * ranks in order.
 *
 * Why one rank's merges can run left to right from a sorted bucket: a merge only creates pairs LONGER than the
 * token it made, so never another pair of the same rank; and when it creates a pair of a LOWER rank (possible when
 * ranks do not follow merge order), the rest of the bucket waits and the lower rank goes first, as in tiktoken.
 */
export function mergePiece(bytes: Uint8Array, table: RankTable): number[] {
  const n = bytes.length;
  if (n === 1 && table.byteRank[bytes[0]] >= 0) return [table.byteRank[bytes[0]]];
  if (n <= table.maxBytes) {
    const whole = table.rankOf(latin1(bytes, 0, n));
    if (whole !== undefined) return [whole];
  }
  // Parts as a linked list over byte offsets: the part starting at i ends at next[i] and has rank partRank[i]
  // (-1: its bytes are no token, possible only for a lone byte of a vocabulary without all 256).
  const next = new Int32Array(n + 1);
  const prev = new Int32Array(n + 1);
  const partRank = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  for (let i = 0; i < n; i++) partRank[i] = table.byteRank[bytes[i]];
  // pairRank[i]: rank of part i joined with the next part; -1 when that is no token or part i is gone.
  const pairRank = new Int32Array(n + 1).fill(-1);
  const join = (i: number): number => {
    const mid = next[i];
    if (mid >= n) return -1;
    const l = partRank[i];
    const r = partRank[mid];
    if (l >= 0 && r >= 0) return table.pairRank(l, r);
    return table.rankOf(latin1(bytes, i, next[mid])) ?? -1;
  };
  const queue = table.buckets();
  queue.clear();
  for (let i = 0; i + 1 < n; i++) {
    const rank = join(i);
    pairRank[i] = rank;
    if (rank >= 0) queue.push(rank, i);
  }
  for (let rank = queue.lowest(); rank >= 0; rank = queue.lowest()) {
    const positions = queue.take(rank);
    for (let k = 0; k < positions.length; k++) {
      const i = positions[k];
      if (pairRank[i] !== rank) continue; // the part is gone or its neighbour changed since it was queued
      const mid = next[i];
      partRank[i] = rank;
      pairRank[mid] = -1;
      next[i] = next[mid];
      if (next[i] <= n) prev[next[i]] = i;
      let lower = false;
      const right = join(i);
      pairRank[i] = right;
      if (right >= 0) {
        queue.push(right, i);
        lower = right < rank;
      }
      const p = prev[i];
      if (p >= 0) {
        const left = join(p);
        pairRank[p] = left;
        if (left >= 0) {
          queue.push(left, p);
          lower ||= left < rank;
        }
      }
      if (lower) {
        // A lower rank now waits: it merges first; the rest of this bucket goes back (it stays sorted on take).
        for (let j = k + 1; j < positions.length; j++) if (pairRank[positions[j]] === rank) queue.push(rank, positions[j]);
        break;
      }
    }
  }
  queue.release();
  const out: number[] = [];
  for (let i = 0; i < n; i = next[i]) {
    if (partRank[i] < 0) throw new Error(`byte-pair merge left a part without a rank (${i}..${next[i]})`);
    out.push(partRank[i]);
  }
  return out;
}

/** bytes[from, to) as a latin1 string (one char per byte), the rank table's key form. */
function latin1(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]);
  return s;
}
