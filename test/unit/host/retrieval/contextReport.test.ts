import assert from 'node:assert/strict';
import { TokenCounter } from '../../../../src/tokenCounter';
import { EstimateTokenizer } from '../../../../src/core/tokens/estimateTokenizer';
import { buildExplainPrompt } from '../../../../src/core/context/explainContext';
import { reportContext } from '../../../../src/host/retrieval/contextReport';
import { chunkFromHit } from '../../../../src/host/retrieval/contextChunks';
import { indexOf } from './retrievalKit';

const retrieval = { retrieval: 'lexical' as const, pinned: [], excluded: [] };

describe('context report: what went into the prompt and what the token engine cut', () => {
  it('lists every chunk most relevant first; the real optimizer drops the least relevant, and the report says which', async () => {
    const index = await indexOf();
    const { results } = await index.search('url cache retry backoff protocol entries evict', { limit: 10 });
    await index.close();
    const chunks = results.map((hit) => chunkFromHit(hit, hit.chunk.file, 'retrieved', hit.score));
    // In the caller's order reversed: the report follows relevance, not position.
    const context = [...chunks].reverse();
    const counter = new TokenCounter(1024, 0.2, 0.3, 0.5, { tokenizer: new EstimateTokenizer() });
    const plan = counter.optimizePrompt('You are helpful.', 'Where are URLs parsed?', context);
    assert.ok(plan.droppedChunks.length > 0 && plan.contextChunkIndexes.length > 0, 'this window keeps some and drops some');
    const report = reportContext(context, plan.droppedChunks, retrieval)!;
    assert.deepEqual(
      report.entries.map((e) => e.score),
      chunks.map((c) => c.score),
      'most relevant first',
    );
    const sent = report.entries.filter((e) => e.status !== 'dropped');
    const dropped = report.entries.filter((e) => e.status === 'dropped');
    assert.equal(sent.length, plan.contextChunkIndexes.length);
    assert.equal(dropped.length, plan.droppedChunks.filter((d) => d.status === 'dropped').length);
    // Least relevant first: every dropped chunk ranks below every chunk that went in.
    assert.ok(Math.min(...sent.map((e) => e.score!)) >= Math.max(...dropped.map((e) => e.score!)));
    for (const d of dropped) assert.ok(d.tokens! > 0 && d.keptTokens === 0, JSON.stringify(d));
    const first = report.entries[0];
    assert.equal(first.label, `${first.location!.file}:${first.location!.startLine}-${first.location!.endLine}`);
    assert.equal(first.origin, 'retrieved');
    assert.equal(report.retrieval, 'lexical');
    counter.dispose();
  });

  it('a chunk cut short is "cut" with the tokens kept', () => {
    const report = reportContext(
      [{ text: 'a', relevance: 2, source: 'x' }, 'plain text'],
      [{ index: 0, source: 'x', tokens: 300, keptTokens: 120, status: 'cut' }],
      undefined,
    )!;
    assert.deepEqual(report.entries, [
      { id: 'context-0', label: 'x', origin: 'other', status: 'cut', tokens: 300, keptTokens: 120 },
      { id: 'context-1', label: 'context 2', origin: 'other', status: 'sent' },
    ]);
    assert.equal(report.retrieval, 'not-used');
  });

  it("Explain Selection's chunks keep their location and origin", () => {
    const p = buildExplainPrompt({
      document: { path: 'src/a.ts', languageId: 'typescript', text: 'a\nb\nc\nd' },
      startLine: 1,
      endLine: 1,
      selectedText: 'b',
      definitions: [{ symbol: 'helper', path: 'src/h.ts', languageId: 'typescript', startLine: 3, endLine: 9, text: 'function helper() {}' }],
    });
    const report = reportContext(p.chunks, [], undefined)!;
    assert.deepEqual(
      report.entries.map((e) => [e.origin, e.label, e.location]),
      [
        ['selection', 'src/a.ts:1-1', { file: 'src/a.ts', startLine: 1, endLine: 1 }],
        ['selection', 'src/a.ts:3-4', { file: 'src/a.ts', startLine: 3, endLine: 4 }],
        ['definition', 'src/h.ts:3-9', { file: 'src/h.ts', startLine: 3, endLine: 9 }],
      ],
    );
  });

  it('no context and nothing about retrieval: no report; no context but retrieval off: a report that says so', () => {
    assert.equal(reportContext([], [], undefined), undefined);
    assert.deepEqual(reportContext([], [], { retrieval: 'off', pinned: [], excluded: ['a.ts'] }), {
      entries: [],
      retrieval: 'off',
      pinned: [],
      excluded: ['a.ts'],
    });
  });
});
