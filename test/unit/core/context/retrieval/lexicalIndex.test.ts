import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_BM25, LexicalIndex } from '../../../../../src/core/context/retrieval/lexicalIndex';

/** BM25 as the textbook writes it (Robertson & Zaragoza; Lucene's idf), for comparison. */
function bm25(docs: string[][], query: string[], k1 = DEFAULT_BM25.k1, b = DEFAULT_BM25.b): number[] {
  const n = docs.length;
  const avg = docs.reduce((a, d) => a + d.length, 0) / n;
  return docs.map((d) =>
    query.reduce((score, term) => {
      const df = docs.filter((x) => x.includes(term)).length;
      if (df === 0) return score;
      const tf = d.filter((t) => t === term).length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      return score + (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * d.length) / avg));
    }, 0),
  );
}

const corpus = [
  ['parse', 'url', 'url', 'host'],
  ['parse', 'header', 'value'],
  ['format', 'url'],
  ['send', 'request', 'header', 'header', 'body', 'stream'],
];

function indexOf(docs: string[][]): LexicalIndex {
  const index = new LexicalIndex();
  docs.forEach((terms, doc) => index.add(doc, terms));
  return index;
}

describe('lexical index: BM25 over code terms', () => {
  it('scores every document as the BM25 formula does, best first', () => {
    const index = indexOf(corpus);
    for (const query of [['url'], ['parse', 'header'], ['header', 'stream', 'url']]) {
      const expected = bm25(corpus, query)
        .map((score, doc) => ({ doc, score }))
        .filter((h) => h.score > 0)
        .sort((a, b) => b.score - a.score);
      const hits = index.search(query, 10);
      assert.deepEqual(
        hits.map((h) => h.doc),
        expected.map((h) => h.doc),
        `order for ${query}`,
      );
      hits.forEach((h, i) => assert.ok(Math.abs(h.score - expected[i].score) < 1e-5, `${h.score} vs ${expected[i].score}`));
    }
  });

  it('a rare term outweighs a common one', () => {
    const docs = [...Array.from({ length: 20 }, () => ['return', 'value']), ['return', 'tokenizer']];
    const index = indexOf(docs);
    assert.equal(index.search(['return', 'tokenizer'], 1)[0].doc, 20);
  });

  it('returns at most `limit` hits and nothing for unknown terms', () => {
    const index = indexOf(corpus);
    assert.equal(index.search(['url', 'parse', 'header'], 2).length, 2);
    assert.deepEqual(index.search(['nothing'], 5), []);
    assert.deepEqual(index.search([], 5), []);
  });

  it('finds `parse` for "parsed" and `encode` for "encoding" when the word itself is not indexed', () => {
    const index = indexOf([
      ['parse', 'json'],
      ['encode', 'base64'],
      ['parsed', 'flag'],
    ]);
    assert.deepEqual(
      index.search(['encoding'], 5).map((h) => h.doc),
      [1],
    );
    // "parsed" is indexed itself (doc 2): the exact word is used, not the variant.
    assert.deepEqual(
      index.search(['parsed'], 5).map((h) => h.doc),
      [2],
    );
    const noExact = indexOf([
      ['parse', 'json'],
      ['encode', 'base64'],
    ]);
    assert.deepEqual(
      noExact.search(['parsed'], 5).map((h) => h.doc),
      [0],
    );
  });

  it('keeps only the rarest query terms when there are more than maxQueryTerms', () => {
    const index = new LexicalIndex({ ...DEFAULT_BM25, maxQueryTerms: 1 });
    corpus.forEach((terms, doc) => index.add(doc, terms));
    // "url" is in 2 documents, "host" in 1: only "host" is scored.
    assert.deepEqual(
      index.search(['url', 'host'], 5).map((h) => h.doc),
      [0],
    );
  });

  it('a removed document is never returned and no longer counts', () => {
    const index = indexOf(corpus);
    index.remove(0);
    assert.equal(index.documentCount, 3);
    assert.equal(index.deadCount, 1);
    assert.deepEqual(
      index.search(['url'], 5).map((h) => h.doc),
      [2],
    );
    assert.equal(index.has(0), false);
    assert.throws(() => index.add(0, ['again']), RangeError);
  });

  it('removed documents count in N as they do in document frequencies: a rebuild before compaction ranks as a fresh index', () => {
    const fresh = indexOf(corpus);
    const rebuilt = indexOf(corpus);
    corpus.forEach((doc, i) => {
      rebuilt.remove(i);
      rebuilt.add(corpus.length + i, doc);
    });
    for (const query of [['header', 'url'], ['parse'], ['stream', 'body']]) {
      const before = fresh.search(query, 10);
      const after = rebuilt.search(query, 10);
      assert.deepEqual(
        after.map((h) => h.doc - corpus.length),
        before.map((h) => h.doc),
      );
      for (const [i, h] of after.entries()) {
        assert.ok(h.score > 0, `${query}: ${h.score}`);
        assert.ok(Math.abs(h.score - before[i].score) / before[i].score < 0.2, `${query}: ${h.score} against ${before[i].score} fresh`);
      }
    }
  });

  it('compaction renumbers documents, folds the delta and ranks like an index of the survivors', () => {
    const index = indexOf(corpus);
    index.remove(1);
    index.compact(Int32Array.from([0, -1, 1, 2]), 3);
    assert.equal(index.deltaPostings, 0);
    assert.equal(index.deadCount, 0);
    // Dead documents no longer count in document frequencies: the same as indexing the three survivors.
    const fresh = indexOf([corpus[0], corpus[2], corpus[3]]);
    for (const query of [['header', 'url'], ['parse'], ['stream']]) assert.deepEqual(index.search(query, 10), fresh.search(query, 10));
    index.add(3, ['header', 'trailer']);
    assert.ok(
      index.search(['trailer'], 5).some((h) => h.doc === 3),
      'adds after a compaction',
    );
  });

  it('a snapshot loads back into an index that answers the same', () => {
    const index = indexOf(corpus);
    const copy = new LexicalIndex();
    copy.load(index.snapshot());
    for (const query of [['url'], ['header', 'body'], ['parse']]) assert.deepEqual(copy.search(query, 10), index.search(query, 10));
    assert.equal(copy.termCount, index.termCount);
  });

  it('refuses a snapshot whose arrays disagree', () => {
    const snap = indexOf(corpus).snapshot();
    assert.throws(() => new LexicalIndex().load({ ...snap, offsets: snap.offsets.subarray(1) }), RangeError);
    assert.throws(() => new LexicalIndex().load({ ...snap, docs: Int32Array.from(snap.docs, () => 99) }), /names document 99/);
  });

  it('matches the formula for random corpora (property)', () => {
    const term = fc.constantFrom('a1', 'b2', 'c3', 'd4', 'e5', 'f6');
    fc.assert(
      fc.property(
        fc.array(fc.array(term, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 25 }),
        fc.array(term, { minLength: 1, maxLength: 3 }),
        (docs, rawQuery) => {
          const query = [...new Set(rawQuery)];
          const index = indexOf(docs);
          const expected = bm25(docs, query);
          for (const hit of index.search(query, docs.length)) assert.ok(Math.abs(hit.score - expected[hit.doc]) < 1e-4);
          assert.equal(index.search(query, docs.length).length, expected.filter((s) => s > 0).length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
