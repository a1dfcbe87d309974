import assert from 'node:assert/strict';
import { VectorStore } from '../../../../../src/core/context/retrieval/vectorStore';
import { simulatedEmbedding } from '../../../../support/simulator/embeddings';

/** A seeded generator, so every run tests the same vectors. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function randomVector(next: () => number, d: number): Float32Array {
  return Float32Array.from({ length: d }, next);
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

describe('vector store: int8 codes and sign bits', () => {
  it('int8 scores stay within 0.01 of the exact cosine', () => {
    const next = random(1);
    const store = new VectorStore(768);
    const vectors = Array.from({ length: 200 }, () => randomVector(next, 768));
    vectors.forEach((v, doc) => store.set(doc, v));
    const query = randomVector(next, 768);
    for (const hit of store.searchExact(query, 200)) assert.ok(Math.abs(hit.score - cosine(query, vectors[hit.doc])) < 0.01, `doc ${hit.doc}`);
  });

  it('sign-bit candidates rescored find at least 95% of the exact top 10 (simulated embeddings of real words)', () => {
    const words =
      'parse header request response stream buffer socket timeout retry token chunk index search vector file path line column error abort signal queue worker thread cache hash json yaml config option limit size byte char string number array object map set list tree node edge graph sort merge split join trim pad encode decode compress read write open close flush sync async await promise event emit listen handle route match filter reduce fold scan'.split(
        ' ',
      );
    const next = random(7);
    const pick = () => words[Math.floor((next() + 0.5) * words.length)];
    const texts = Array.from({ length: 6000 }, () => Array.from({ length: 12 }, pick).join(' '));
    const store = new VectorStore(768);
    texts.forEach((t, doc) => store.set(doc, simulatedEmbedding(t, 768)));
    let found = 0;
    let wanted = 0;
    for (let q = 0; q < 40; q++) {
      const query = simulatedEmbedding(Array.from({ length: 4 }, pick).join(' '), 768);
      // Bag-of-words vectors tie often: a hit scoring as high as the exact 10th is as good as any of them.
      const tenth = store.searchExact(query, 10)[9].score;
      const fast = store.search(query, 10);
      assert.equal(fast.length, 10);
      found += fast.filter((h) => h.score >= tenth - 1e-6).length;
      wanted += 10;
    }
    assert.ok(found / wanted >= 0.95, `recall ${(found / wanted).toFixed(3)}`);
  });

  it('50,000 vectors of 768 dimensions take under 100 MB', () => {
    const next = random(3);
    const store = new VectorStore(768);
    for (let doc = 0; doc < 50_000; doc++) store.set(doc, randomVector(next, 768));
    assert.equal(store.count, 50_000);
    // 768 int8 codes + 96 bytes of sign bits + a float scale + a presence byte per vector, with growth room.
    assert.ok(store.bytes < 100 * 1_048_576, `${(store.bytes / 1_048_576).toFixed(1)} MB`);
    assert.ok(store.bytes >= 50_000 * (768 + 96 + 4 + 1));
  });

  it('a zero vector scores 0 and never breaks a search', () => {
    const store = new VectorStore(4);
    store.set(0, [0, 0, 0, 0]);
    store.set(1, [1, 0, 0, 0]);
    const hits = store.search([1, 0, 0, 0], 2);
    assert.deepEqual(
      hits.map((h) => h.doc),
      [1, 0],
    );
    assert.equal(hits[1].score, 0);
  });

  it('a deleted vector leaves searches but can be copied back until compaction', () => {
    const store = new VectorStore(3);
    store.set(0, [1, 0, 0]);
    store.set(1, [0, 1, 0]);
    store.delete(0);
    assert.equal(store.count, 1);
    assert.deepEqual(
      store.search([1, 0, 0], 5).map((h) => h.doc),
      [1],
    );
    assert.ok(store.retains(0));
    store.copy(0, 2);
    assert.ok(store.has(2));
    assert.ok(store.search([1, 0, 0], 1)[0].doc === 2);
    store.compact(Int32Array.from([-1, 0, 1]), 2);
    assert.equal(store.count, 2);
    assert.equal(store.retains(2), false);
    assert.deepEqual(
      store.search([1, 0, 0], 1).map((h) => h.doc),
      [1],
    );
  });

  it('a snapshot round-trips; wrong dimensions are refused', () => {
    const next = random(5);
    const store = new VectorStore(40);
    for (let doc = 0; doc < 30; doc++) if (doc % 3) store.set(doc, randomVector(next, 40));
    const copy = VectorStore.fromSnapshot(store.snapshot(30));
    const query = randomVector(next, 40);
    assert.deepEqual(copy.search(query, 10), store.search(query, 10));
    assert.equal(copy.count, store.count);
    assert.throws(() => store.set(0, [1, 2, 3]), /3 dimensions for a store of 40/);
    assert.throws(() => store.search([1], 3), RangeError);
    assert.throws(() => VectorStore.fromSnapshot({ ...store.snapshot(30), scales: new Float32Array(2) }), RangeError);
  });
});
