import type { ScoreReasons, SelectionHint } from './types';

// Reciprocal rank fusion (Cormack, Clarke & Buettcher 2009): a document scores sum(w / (k + rank)) over the
// lists it appears in, so BM25 scores and cosines never have to share a scale. The boosts are in the same
// unit: being where the user is counts like ranking first in one more list (weight 1 = 1/(k+1)), fading
// with line distance; a recently edited file adds a smaller, fading amount.

/** How much each signal counts. */
export interface FusionWeights {
  /** RRF's k: larger flattens the difference between ranks (60 in the paper and most systems). */
  k: number;
  lexical: number;
  vector: number;
  /** Weight of being in the selection's file at distance 0; halves at `selectionHalfLines` lines away. */
  selection: number;
  selectionHalfLines: number;
  /** Weight of the most recently edited file; the n-th most recent gets recent / (n + 1). */
  recent: number;
}

// The vector list weighs a quarter of the lexical one: on the doc-comment benchmark (scripts/bench/41) equal weights
// cost recall@10 (0.680 against lexical 0.827) and 0.25 is the largest measured weight that ties lexical at recall@10.
// That was measured with the simulator's bag-of-words vectors, which are weak on purpose: it keeps the default from
// being worse than lexical, it does not say what nomic-embed-text would do; re-measure before raising it.
export const DEFAULT_FUSION: FusionWeights = { k: 60, lexical: 1, vector: 0.25, selection: 1, selectionHalfLines: 40, recent: 0.5 };

/** A ranked list entry: a document and its own score in that list. */
export interface RankedDoc {
  doc: number;
  score: number;
}

/** Where a document is, for the nearness boosts. */
export interface DocLocation {
  file: string;
  startLine: number;
  endLine: number;
}

export interface FusionInput {
  lexical: readonly RankedDoc[];
  vector: readonly RankedDoc[];
  /** More candidates that need not match the query (the chunks around the selection). */
  nearby?: readonly number[];
  locate(doc: number): DocLocation;
  selection?: SelectionHint;
  recentFiles?: readonly string[];
  weights?: FusionWeights;
}

/** One fused result. */
export interface FusedDoc {
  doc: number;
  score: number;
  why: ScoreReasons;
}

/** Lines between two 1-based inclusive ranges (0 when they overlap). */
export function lineDistance(aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  if (aEnd < bStart) return bStart - aEnd;
  if (bEnd < aStart) return aStart - bEnd;
  return 0;
}

/** Fuses the lists and boosts; sorted by score (ties: lexical rank, then vector rank, then document). */
export function fuse(input: FusionInput): FusedDoc[] {
  const w = input.weights ?? DEFAULT_FUSION;
  const unit = 1 / (w.k + 1);
  const byDoc = new Map<number, FusedDoc>();
  const entry = (doc: number): FusedDoc => {
    let e = byDoc.get(doc);
    if (!e) {
      e = { doc, score: 0, why: { lexical: 0, vector: 0, selection: 0, recent: 0 } };
      byDoc.set(doc, e);
    }
    return e;
  };
  input.lexical.forEach((hit, i) => {
    const e = entry(hit.doc);
    if (e.why.lexicalRank !== undefined) return;
    e.why.lexicalRank = i + 1;
    e.why.lexicalScore = hit.score;
    e.why.lexical = w.lexical / (w.k + i + 1);
  });
  input.vector.forEach((hit, i) => {
    const e = entry(hit.doc);
    if (e.why.vectorRank !== undefined) return;
    e.why.vectorRank = i + 1;
    e.why.vectorScore = hit.score;
    e.why.vector = w.vector / (w.k + i + 1);
  });
  for (const doc of input.nearby ?? []) entry(doc);
  const recentIndex = new Map<string, number>();
  (input.recentFiles ?? []).forEach((file, i) => {
    if (!recentIndex.has(file)) recentIndex.set(file, i);
  });
  const selection = input.selection;
  for (const e of byDoc.values()) {
    const at = input.locate(e.doc);
    if (selection && at.file === selection.file) {
      const d = lineDistance(at.startLine, at.endLine, selection.startLine, selection.endLine);
      e.why.selectionDistance = d;
      e.why.selection = (w.selection * unit) / (1 + d / w.selectionHalfLines);
    }
    const r = recentIndex.get(at.file);
    if (r !== undefined) {
      e.why.recentIndex = r;
      e.why.recent = (w.recent * unit) / (r + 1);
    }
    e.score = e.why.lexical + e.why.vector + e.why.selection + e.why.recent;
  }
  const rank = (x: number | undefined) => x ?? Number.POSITIVE_INFINITY;
  return [...byDoc.values()].sort(
    (a, b) => b.score - a.score || rank(a.why.lexicalRank) - rank(b.why.lexicalRank) || rank(a.why.vectorRank) - rank(b.why.vectorRank) || a.doc - b.doc,
  );
}
