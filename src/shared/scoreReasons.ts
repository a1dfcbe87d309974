// Why a retrieved chunk ranks where it does: the terms of its fused score. The workspace index produces them, the
// panel's context list shows them; one shape for both (shared/ imports nothing, so either side may use it).

/** Every term of a retrieved chunk's score (the fused score is the sum of lexical, vector, selection and recent). */
export interface ScoreReasons {
  /** 1-based rank among lexical (BM25) matches, and the BM25 score. */
  lexicalRank?: number;
  lexicalScore?: number;
  /** 1-based rank among vector matches, and the cosine similarity. */
  vectorRank?: number;
  vectorScore?: number;
  /** What each part added to the fused score. */
  lexical: number;
  vector: number;
  selection: number;
  recent: number;
  /** Lines between the chunk and the selection (same file only; 0 when they overlap). */
  selectionDistance?: number;
  /** Position of the chunk's file in recentFiles (0 = most recent). */
  recentIndex?: number;
}
