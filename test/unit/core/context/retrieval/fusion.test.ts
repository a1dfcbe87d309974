import assert from 'node:assert/strict';
import { DEFAULT_FUSION, fuse, lineDistance, type DocLocation } from '../../../../../src/core/context/retrieval/fusion';

const places: DocLocation[] = [
  { file: 'src/a.ts', startLine: 1, endLine: 20 },
  { file: 'src/a.ts', startLine: 100, endLine: 120 },
  { file: 'src/b.ts', startLine: 1, endLine: 10 },
  { file: 'src/c.ts', startLine: 5, endLine: 9 },
];
const locate = (doc: number) => places[doc];
const k = DEFAULT_FUSION.k;

describe('fusion: reciprocal ranks plus nearness', () => {
  it('adds 1/(k + rank) from each list and says which rank gave what', () => {
    const fused = fuse({
      lexical: [
        { doc: 2, score: 9 },
        { doc: 3, score: 4 },
      ],
      vector: [{ doc: 3, score: 0.8 }],
      locate,
      weights: { ...DEFAULT_FUSION, vector: 1 },
    });
    assert.deepEqual(
      fused.map((f) => f.doc),
      [3, 2],
    );
    const [three, two] = fused;
    assert.equal(three.score, 1 / (k + 2) + 1 / (k + 1));
    assert.deepEqual(three.why, {
      lexicalRank: 2,
      lexicalScore: 4,
      vectorRank: 1,
      vectorScore: 0.8,
      lexical: 1 / (k + 2),
      vector: 1 / (k + 1),
      selection: 0,
      recent: 0,
    });
    assert.equal(two.score, 1 / (k + 1));
    assert.equal(two.why.vectorRank, undefined);
  });

  it('by default the vector list weighs a quarter: a vector-only first place ranks below a lexical tenth', () => {
    assert.equal(DEFAULT_FUSION.vector, 0.25);
    const fused = fuse({ lexical: [{ doc: 0, score: 10 }], vector: [{ doc: 3, score: 0.9 }], locate });
    assert.deepEqual(
      fused.map((f) => [f.doc, f.score]),
      [
        [0, 1 / (k + 1)],
        [3, 0.25 / (k + 1)],
      ],
    );
    assert.ok(0.25 / (k + 1) < 1 / (k + 10));
  });

  it('weights each list', () => {
    const fused = fuse({ lexical: [{ doc: 0, score: 1 }], vector: [{ doc: 1, score: 1 }], locate, weights: { ...DEFAULT_FUSION, vector: 2 } });
    assert.deepEqual(
      fused.map((f) => f.doc),
      [1, 0],
    );
    assert.equal(fused[0].score, 2 / (k + 1));
  });

  it("boosts the selection's file by line distance, and only that file", () => {
    const selection = { file: 'src/a.ts', startLine: 10, endLine: 12 };
    const fused = fuse({
      lexical: [
        { doc: 2, score: 5 },
        { doc: 1, score: 3 },
        { doc: 0, score: 1 },
      ],
      vector: [],
      locate,
      selection,
    });
    const byDoc = new Map(fused.map((f) => [f.doc, f]));
    const unit = 1 / (k + 1);
    assert.equal(byDoc.get(0)!.why.selectionDistance, 0);
    assert.equal(byDoc.get(0)!.why.selection, unit);
    assert.equal(byDoc.get(1)!.why.selectionDistance, 88);
    assert.equal(byDoc.get(1)!.why.selection, unit / (1 + 88 / DEFAULT_FUSION.selectionHalfLines));
    assert.equal(byDoc.get(2)!.why.selection, 0);
    assert.equal(byDoc.get(2)!.why.selectionDistance, undefined);
    // The overlapping chunk, third lexically, comes first.
    assert.equal(fused[0].doc, 0);
  });

  it('adds chunks near the selection as candidates even when nothing matched them', () => {
    const fused = fuse({
      lexical: [
        { doc: 3, score: 6 },
        { doc: 2, score: 5 },
      ],
      vector: [],
      nearby: [0],
      locate,
      selection: { file: 'src/a.ts', startLine: 3, endLine: 3 },
    });
    // Overlapping the selection counts like a first rank: above the second lexical match, tied with the first.
    assert.deepEqual(
      fused.map((f) => f.doc),
      [3, 0, 2],
    );
    assert.equal(fused[1].score, fused[0].score);
    assert.equal(fused[1].why.lexicalRank, undefined);
  });

  it('boosts recently edited files, the most recent most', () => {
    const fused = fuse({
      lexical: [
        { doc: 2, score: 5 },
        { doc: 3, score: 4 },
      ],
      vector: [],
      locate,
      recentFiles: ['src/c.ts', 'src/b.ts'],
    });
    const unit = 1 / (k + 1);
    assert.deepEqual(
      fused.map((f) => [f.doc, f.why.recentIndex, f.why.recent]),
      [
        [3, 0, DEFAULT_FUSION.recent * unit],
        [2, 1, (DEFAULT_FUSION.recent * unit) / 2],
      ],
    );
  });

  it('breaks ties by lexical rank, then vector rank, then document', () => {
    const fused = fuse({ lexical: [{ doc: 1, score: 1 }], vector: [{ doc: 0, score: 1 }], locate, weights: { ...DEFAULT_FUSION, vector: 1 } });
    assert.equal(fused[0].score, fused[1].score);
    assert.deepEqual(
      fused.map((f) => f.doc),
      [1, 0],
    );
  });

  it('measures line distance between inclusive ranges', () => {
    assert.equal(lineDistance(1, 5, 5, 9), 0);
    assert.equal(lineDistance(1, 5, 8, 9), 3);
    assert.equal(lineDistance(20, 30, 1, 4), 16);
  });
});
