import type { RunClassScheme } from './preTokenizers';

// tiktoken's byte-pair merge is quadratic in the length of a piece (measured with Qwen3's vocabulary: a 4096-unit
// piece of one CJK character costs 15.6 ms per 1000 units, 64-unit pieces 0.37 ms), so a 1 MB line that the
// pre-tokenizer keeps whole would take minutes. Cutting such a run would change the count, so instead: when text
// holds a long run of one character class (the only way a piece gets long), the pieces are found here with the
// same pattern (JavaScript regex), runs of ordinary pieces still go to tiktoken in one call each, and each long
// piece is merged here in O(n log n) with tiktoken's exact rule. Normal text never takes this path.

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

  constructor(ranks: string) {
    for (const line of ranks.split('\n')) {
      const sp = line.indexOf(' ');
      const bytes = atob(line.slice(0, sp));
      const rank = Number(line.slice(sp + 1));
      this.byBytes.set(bytes, rank);
      this.bytesByRank[rank] = bytes;
    }
  }

  /** Rank of the token with these bytes (a latin1 string), if there is one. */
  rankOf(bytes: string): number | undefined {
    return this.byBytes.get(bytes);
  }

  /** Byte length of the token with this rank. */
  byteLength(rank: number): number {
    return this.bytesByRank[rank].length;
  }
}

/** `text` as UTF-8 in a latin1 string (one char per byte; lone surrogates become U+FFFD, as TextEncoder does). */
export function utf8Latin1(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return s;
}

/**
 * tiktoken's byte-pair merge for one piece (the whole piece when it is a token, else repeatedly the adjacent pair
 * whose concatenation has the lowest rank, leftmost first), with an indexed heap instead of tiktoken's rescans:
 * O(n log n) time and O(n) memory. Returns the ranks in order.
 */
export function mergePiece(bytes: string, table: RankTable): number[] {
  const whole = table.rankOf(bytes);
  if (whole !== undefined) return [whole];
  const n = bytes.length;
  const NONE = 0x7fffffff;
  // Parts as a linked list over byte offsets: the part starting at i ends at next[i].
  const next = new Int32Array(n + 1);
  const prev = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  // pairRank[i]: rank of part i joined with the next part (NONE if that is no token); the heap orders the parts by
  // (pairRank, offset) and pos[i] is part i's place in it (-1: not in the heap).
  const pairRank = new Int32Array(n + 1).fill(NONE);
  const heap = new Int32Array(n);
  const pos = new Int32Array(n + 1).fill(-1);
  let size = 0;
  const before = (a: number, b: number) => pairRank[a] < pairRank[b] || (pairRank[a] === pairRank[b] && a < b);
  const up = (k: number) => {
    const x = heap[k];
    while (k > 0) {
      const parent = (k - 1) >> 1;
      const y = heap[parent];
      if (!before(x, y)) break;
      heap[k] = y;
      pos[y] = k;
      k = parent;
    }
    heap[k] = x;
    pos[x] = k;
  };
  const down = (k: number) => {
    const x = heap[k];
    for (;;) {
      let c = 2 * k + 1;
      if (c >= size) break;
      if (c + 1 < size && before(heap[c + 1], heap[c])) c++;
      const y = heap[c];
      if (!before(y, x)) break;
      heap[k] = y;
      pos[y] = k;
      k = c;
    }
    heap[k] = x;
    pos[x] = k;
  };
  const remove = (i: number) => {
    const k = pos[i];
    if (k < 0) return;
    pos[i] = -1;
    size--;
    if (k === size) return;
    const last = heap[size];
    heap[k] = last;
    pos[last] = k;
    up(k);
    if (pos[last] === k) down(k);
  };
  /** Recomputes part i's pair with its right neighbour and puts it in (or out of) the heap. */
  const refresh = (i: number) => {
    const mid = next[i];
    const rank = mid < n ? table.rankOf(bytes.slice(i, next[mid])) : undefined;
    if (rank === undefined) {
      pairRank[i] = NONE;
      remove(i);
      return;
    }
    pairRank[i] = rank;
    if (pos[i] < 0) {
      heap[size] = i;
      pos[i] = size++;
      up(size - 1);
    } else {
      up(pos[i]);
      down(pos[i]);
    }
  };
  for (let i = 0; i + 1 < n; i++) {
    const rank = table.rankOf(bytes.slice(i, i + 2));
    if (rank !== undefined) {
      pairRank[i] = rank;
      heap[size] = i;
      pos[i] = size++;
    }
  }
  // Heapify in O(n) rather than n sift-ups.
  for (let k = (size >> 1) - 1; k >= 0; k--) down(k);
  while (size > 0) {
    const i = heap[0];
    const mid = next[i];
    remove(mid);
    next[i] = next[mid];
    if (next[i] <= n) prev[next[i]] = i;
    refresh(i);
    if (prev[i] >= 0) refresh(prev[i]);
  }
  const out: number[] = [];
  for (let i = 0; i < n; i = next[i]) {
    const rank = table.rankOf(bytes.slice(i, next[i]));
    if (rank === undefined) throw new Error(`byte-pair merge left a part without a rank (${i}..${next[i]})`);
    out.push(rank);
  }
  return out;
}
