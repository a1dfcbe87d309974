import assert from 'node:assert/strict';
import type { SearchResult } from '../../../../src/core/context/retrieval';
import { MIN_BM25, MIN_CHUNKS, pickHits, questionQuery, questionsBefore, relevantEnough, takenKey } from '../../../../src/host/retrieval/retrievalQuery';
import type { FoundChunk } from '../../../../src/host/retrieval/workspaceSearch';

function found(file: string, startLine: number, tokens: number, bm25 = 10, selection = 0): FoundChunk {
  const score = 1 / 61;
  const hit = {
    id: `${file}#${startLine}`,
    score,
    chunk: { file, startLine, endLine: startLine + 9, kind: 'function', symbols: [], enclosing: [], language: 'typescript', tokens, text: 'x' },
    why: { lexicalScore: bm25, lexical: score, vector: 0, selection, recent: 0 },
  } as SearchResult;
  return { file, hit };
}

describe('what to ask the index, and how many hits to hand over', () => {
  it('a question is searched as asked; a short follow-up takes the words of the previous question', () => {
    assert.equal(questionQuery('  How does the LRU cache evict entries?  ', ['earlier']), 'How does the LRU cache evict entries?');
    assert.equal(questionQuery('and why?', ['How does the LRU cache evict entries?']), 'and why?\nHow does the LRU cache evict entries?');
    assert.equal(questionQuery('and why?', []), 'and why?');
  });

  it('the questions before the one being answered (its last occurrence)', () => {
    const messages = [
      { role: 'user', text: 'a' },
      { role: 'assistant', text: 'x' },
      { role: 'user', text: 'b' },
      { role: 'user', text: 'a' },
    ];
    assert.deepEqual(questionsBefore(messages, 'a'), ['a', 'b']);
    assert.deepEqual(questionsBefore(messages, 'b'), ['a']);
    assert.deepEqual(questionsBefore(messages, 'new'), ['a', 'b', 'a']);
  });

  it('fills about 1.5 x the room in rank order, at least three, skipping excluded and taken chunks', () => {
    const hits = [found('a.ts', 1, 100), found('b.ts', 1, 100), found('c.ts', 1, 100), found('d.ts', 1, 100), found('e.ts', 1, 100)];
    const files = (xs: FoundChunk[]) => xs.map((x) => x.file);
    assert.deepEqual(files(pickHits(hits, { room: 200, excluded: () => false })), ['a.ts', 'b.ts', 'c.ts']);
    assert.deepEqual(files(pickHits(hits, { room: 10, excluded: () => false })), ['a.ts', 'b.ts', 'c.ts'], `at least ${MIN_CHUNKS}`);
    assert.deepEqual(files(pickHits(hits, { room: 270, excluded: () => false })), ['a.ts', 'b.ts', 'c.ts', 'd.ts']);
    assert.deepEqual(files(pickHits(hits, { room: 200, excluded: (f) => f === 'b.ts', taken: new Set([takenKey(hits[0])]) })), ['c.ts', 'd.ts', 'e.ts']);
    assert.deepEqual(files(pickHits(hits, { room: 1e6, excluded: () => false, maxChunks: 2 })), ['a.ts', 'b.ts']);
  });

  it('only hits with lexical evidence go in: BM25 of at least 2 and a quarter of the best, or near the selection', () => {
    assert.equal(relevantEnough(found('a.ts', 1, 10, MIN_BM25), MIN_BM25), true);
    assert.equal(relevantEnough(found('a.ts', 1, 10, 1.9), 1.9), false, 'a common word in a small workspace');
    assert.equal(relevantEnough(found('a.ts', 1, 10, 4), 20), false, 'far below the best hit');
    assert.equal(relevantEnough(found('a.ts', 1, 10, 5), 20), true);
    assert.equal(relevantEnough(found('a.ts', 1, 10, 0, 0.01), 20), true, 'the selection is evidence');
    const hits = [found('a.ts', 1, 10, 20), found('weak.ts', 1, 10, 4.9), found('b.ts', 1, 10, 6)];
    assert.deepEqual(
      pickHits(hits, { room: 1000, excluded: () => false }).map((x) => x.file),
      ['a.ts', 'b.ts'],
    );
    assert.equal(pickHits(hits, { room: 1000, excluded: () => false, anyEvidence: true }).length, 3, 'a pinned file takes them all');
  });

  it('a big chunk that would pass the room ends the list rather than letting a smaller, less relevant one jump it', () => {
    const hits = [found('a.ts', 1, 100), found('b.ts', 1, 100), found('c.ts', 1, 100), found('big.ts', 1, 5000), found('small.ts', 1, 10)];
    assert.deepEqual(
      pickHits(hits, { room: 300, excluded: () => false }).map((x) => x.file),
      ['a.ts', 'b.ts', 'c.ts'],
    );
  });
});
