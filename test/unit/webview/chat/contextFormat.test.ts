import assert from 'node:assert/strict';
import type { ContextEntry, ContextReport } from '../../../../src/protocol/context';
import { contextSummary, cutText, emptyReason, originText, scoreReasons, scoreText, splitEntries } from '../../../../src/webview/chat/contextFormat';

const entry = (over: Partial<ContextEntry>): ContextEntry => ({
  id: 'x',
  label: 'src/a.ts:1-9',
  location: { file: 'src/a.ts', startLine: 1, endLine: 9 },
  origin: 'retrieved',
  status: 'sent',
  ...over,
});
const report = (entries: ContextEntry[], over: Partial<ContextReport> = {}): ContextReport => ({
  entries,
  retrieval: 'lexical',
  pinned: [],
  excluded: [],
  ...over,
});

describe("the context list's words", () => {
  it('sums up what went in, from how many files, what was cut and how retrieval took part', () => {
    const r = report([
      entry({}),
      entry({ id: 'y', label: 'src/a.ts:20-30' }),
      entry({ id: 'z', label: 'src/b.ts:1-5', location: { file: 'src/b.ts', startLine: 1, endLine: 5 }, status: 'cut', tokens: 300, keptTokens: 120 }),
      entry({ id: 'w', label: 'src/c.ts:1-5', location: { file: 'src/c.ts', startLine: 1, endLine: 5 }, status: 'dropped', tokens: 80 }),
    ]);
    assert.equal(contextSummary(r), 'Context: 3 chunks from 2 files · 2 cut (1 in part) · lexical search only');
    assert.deepEqual(
      splitEntries(r).cut.map((e) => e.id),
      ['w'],
    );
    assert.equal(contextSummary(report([entry({})], { retrieval: 'semantic' })), 'Context: 1 chunk from 1 file · semantic + lexical search');
    assert.equal(contextSummary(report([], { retrieval: 'off' })), 'Context: no code · workspace retrieval is off');
    assert.equal(contextSummary(report([entry({ origin: 'selection' })], { retrieval: 'not-used' })), 'Context: 1 chunk from 1 file');
  });

  it('says why nothing went in', () => {
    assert.match(emptyReason(report([], { retrieval: 'off' })), /therapist\.retrieval\.enabled/);
    assert.equal(emptyReason(report([])), 'No code in the workspace index matched this question.');
    assert.equal(emptyReason(report([entry({ status: 'dropped' })])), 'Nothing fitted: every chunk was cut.');
  });

  it("a score, its reasons, a chunk's origin and what was cut of it", () => {
    assert.equal(scoreText(1 / 61), '0.016');
    const parts = { lexicalRank: 1, vectorRank: 4, vectorScore: 0.8123, lexical: 1 / 61, vector: 0.25 / 64, selection: 0.01, recent: 0 };
    assert.equal(scoreReasons(entry({ parts })), 'lexical #1 + vector #4 (cosine 0.81) + near the selection');
    assert.equal(
      scoreReasons(entry({ origin: 'pinned', parts: { lexical: 0, vector: 0, selection: 0.016, recent: 0.004 } })),
      'pinned for this conversation; near the selection + recently edited',
    );
    assert.equal(originText(entry({ origin: 'definition' })), 'definition');
    assert.equal(cutText(entry({ status: 'cut', tokens: 1234, keptTokens: 120 })), 'kept 120 of 1,234 tokens');
    assert.equal(cutText(entry({ status: 'dropped', tokens: 80, keptTokens: 0 })), '80 tokens');
    assert.equal(cutText(entry({})), undefined);
  });
});
