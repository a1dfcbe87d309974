import { ATTR } from '../tokenAttributes';
import { type SpmTable, tokenText } from './spmVocabTable';

/**
 * Fragments of a text: flat triples (start, end, token), where token is -1 for raw text that SentencePiece will
 * encode, else the id of a special token matched at [start, end). Whitespace that a special token strips
 * (LSTRIP/RSTRIP) belongs to no fragment.
 */
export type Fragments = number[];

/**
 * llama.cpp's `tokenizer_st_partition`: before SentencePiece runs, special-token texts are cut out of the text.
 * llama.cpp takes the special tokens one at a time, longest UTF-8 text first, and for each scans every still-raw
 * fragment left to right, cutting at each non-overlapping occurrence. With `parseSpecial` false only USER_DEFINED
 * tokens take part (CONTROL and UNKNOWN ones are plain text); with it true, all of them.
 *
 * Scanning the text once per special token costs O(#specials x length) (6,000+ user-defined tokens in a llama.cpp
 * Gemma 3 GGUF). The same result comes from one trie pass that queues, per position, the longest special text
 * starting there, keyed by (token rank, position): popping in that order visits occurrences exactly in llama.cpp's
 * order. An occurrence overlapping an earlier cut is replaced by the longest shorter special at the same position
 * that still fits, so each position is queued a handful of times at most.
 */
export class SpecialMatcher {
  /** True when no special token takes part: the whole text is one raw fragment. */
  readonly empty: boolean;
  private readonly children = new Map<number, number>();
  private readonly first = new Uint8Array(0x10000);
  private readonly rank: Int32Array;
  private readonly token: Int32Array;
  private readonly depth: Int32Array;
  /** Nearest proper ancestor that ends a special text, -1 = none. */
  private readonly up: Int32Array;

  constructor(
    private readonly table: SpmTable,
    specials: Int32Array,
    parseSpecial: boolean,
  ) {
    const rank: number[] = [-1];
    const token: number[] = [-1];
    const depth: number[] = [0];
    const parent: number[] = [-1];
    let r = 0;
    for (const id of specials) {
      const attr = table.attrs[id];
      if (!parseSpecial && (attr & (ATTR.control | ATTR.unknown)) !== 0) continue;
      const text = tokenText(table, id);
      let node = 0;
      for (let k = 0; k < text.length; k++) {
        const key = node * 0x10000 + text.charCodeAt(k);
        let child = this.children.get(key);
        if (child === undefined) {
          child = rank.length;
          rank.push(-1);
          token.push(-1);
          depth.push(depth[node] + 1);
          parent.push(node);
          this.children.set(key, child);
        }
        node = child;
      }
      rank[node] = r++;
      token[node] = id;
      this.first[text.charCodeAt(0)] = 1;
    }
    this.empty = r === 0;
    this.rank = Int32Array.from(rank);
    this.token = Int32Array.from(token);
    this.depth = Int32Array.from(depth);
    // Parents are created before their children, so one pass in creation order sees every parent's value first.
    this.up = new Int32Array(rank.length).fill(-1);
    for (let node = 1; node < rank.length; node++) {
      const p = parent[node];
      this.up[node] = p > 0 && rank[p] >= 0 ? p : p > 0 ? this.up[p] : -1;
    }
  }

  /** The fragments of `text`, or null when it holds no special text (one raw fragment). */
  partition(text: string): Fragments | null {
    if (this.empty) return null;
    const n = text.length;
    const stride = n + 1;
    const queue = new CandidateQueue();
    const { children, first, rank, depth } = this;
    for (let p = 0; p < n; p++) {
      if (first[text.charCodeAt(p)] === 0) continue;
      let node = 0;
      let deepest = -1;
      for (let k = p; k < n; k++) {
        const child = children.get(node * 0x10000 + text.charCodeAt(k));
        if (child === undefined) break;
        node = child;
        if (rank[node] >= 0) deepest = node;
      }
      if (deepest >= 0) queue.add(rank[deepest] * stride + p, deepest);
    }
    if (queue.size === 0) return null;
    queue.heapify();

    // 1 = inside a cut special token, 2 = whitespace stripped next to one.
    const used = new Uint8Array(n);
    const cutAt = new Int32Array(n);
    const attrs = this.table.attrs;
    while (queue.size > 0) {
      const key = queue.topKey();
      const node = queue.topNode();
      queue.pop();
      const p = key % stride;
      if (used[p] !== 0) continue;
      const len = depth[node];
      let blocked = -1;
      for (let k = p; k < p + len; k++) {
        if (used[k] !== 0) {
          blocked = k;
          break;
        }
      }
      if (blocked >= 0) {
        let shorter = this.up[node];
        while (shorter >= 0 && depth[shorter] > blocked - p) shorter = this.up[shorter];
        if (shorter >= 0) queue.push(rank[shorter] * stride + p, shorter);
        continue;
      }
      const id = this.token[node];
      used.fill(1, p, p + len);
      cutAt[p] = id + 1;
      const attr = attrs[id];
      if ((attr & ATTR.lstrip) !== 0) {
        for (let k = p - 1; k >= 0 && used[k] === 0 && isSpace(text.charCodeAt(k)); k--) used[k] = 2;
      }
      if ((attr & ATTR.rstrip) !== 0) {
        for (let k = p + len; k < n && used[k] === 0 && isSpace(text.charCodeAt(k)); k++) used[k] = 2;
      }
    }

    const out: Fragments = [];
    let p = 0;
    while (p < n) {
      if (cutAt[p] !== 0) {
        const id = cutAt[p] - 1;
        const end = p + this.table.offsets[id + 1] - this.table.offsets[id];
        out.push(p, end, id);
        p = end;
      } else if (used[p] !== 0) {
        p++;
      } else {
        const start = p;
        while (p < n && used[p] === 0) p++;
        out.push(start, p, -1);
      }
    }
    return out;
  }
}

/** C isspace() on an ASCII unit: what llama.cpp strips next to LSTRIP/RSTRIP tokens. */
function isSpace(u: number): boolean {
  return u === 0x20 || (u >= 0x09 && u <= 0x0d);
}

/** A binary min-heap of (key, trie node) pairs. */
class CandidateQueue {
  size = 0;
  private keys = new Float64Array(64);
  private nodes = new Int32Array(64);

  /** Appends without ordering (call heapify before popping). */
  add(key: number, node: number): void {
    if (this.size === this.keys.length) this.grow();
    this.keys[this.size] = key;
    this.nodes[this.size] = node;
    this.size++;
  }

  push(key: number, node: number): void {
    this.add(key, node);
    let i = this.size - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent] <= this.keys[i]) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  heapify(): void {
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i);
  }

  topKey(): number {
    return this.keys[0];
  }

  topNode(): number {
    return this.nodes[0];
  }

  pop(): void {
    this.size--;
    if (this.size > 0) {
      this.swap(0, this.size);
      this.down(0);
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) return;
      const r = l + 1;
      const best = r < this.size && this.keys[r] < this.keys[l] ? r : l;
      if (this.keys[best] >= this.keys[i]) return;
      this.swap(i, best);
      i = best;
    }
  }

  private swap(a: number, b: number): void {
    const k = this.keys[a];
    this.keys[a] = this.keys[b];
    this.keys[b] = k;
    const n = this.nodes[a];
    this.nodes[a] = this.nodes[b];
    this.nodes[b] = n;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    this.keys = keys;
    const nodes = new Int32Array(this.nodes.length * 2);
    nodes.set(this.nodes);
    this.nodes = nodes;
  }
}
