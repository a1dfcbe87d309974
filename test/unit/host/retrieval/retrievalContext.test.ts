import assert from 'node:assert/strict';
import { isLocatedChunk } from '../../../../src/host/retrieval/contextChunks';
import { kit, type Kit } from './retrievalKit';

const signal = new AbortController().signal;

describe("retrieved context: the index's chunks for a question, as the token engine takes them", () => {
  let k: Kit;
  beforeEach(async () => (k = await kit()));
  afterEach(() => k.index.close());

  it('a question brings the chunk that defines what it asks about, ranked first, with its score as relevance', async () => {
    const provided = await k.retrieval.provide({ prompt: 'How is a URL parsed and which protocols are rejected?' }, 'c1', signal);
    assert.ok(provided);
    const [first] = provided.chunks;
    assert.ok(isLocatedChunk(first));
    assert.equal(first.location.file, 'src/http/parseUrl.ts');
    assert.equal(first.source, `src/http/parseUrl.ts:${first.location.startLine}-${first.location.endLine}`);
    assert.equal(first.origin, 'retrieved');
    assert.deepEqual(first.symbols, ['parseUrl']);
    assert.equal(first.relevance, first.score);
    assert.match(first.text, /^src\/http\/parseUrl\.ts \(lines \d+-\d+\):\n```typescript\n[\s\S]*export function parseUrl[\s\S]*\n```$/);
    const relevances = provided.chunks.map((c) => (typeof c === 'string' ? 0 : c.relevance!));
    assert.deepEqual(
      relevances,
      [...relevances].sort((a, b) => b - a),
      'most relevant first',
    );
    assert.deepEqual(provided.retrieval, { retrieval: 'lexical', note: undefined, pinned: [], excluded: [] });
  });

  it('an excluded file is never retrieved in that conversation, and is again once included', async () => {
    await k.pins.setExcluded('c1', 'src/http/parseUrl.ts', true);
    const question = { prompt: 'How is a URL parsed and which protocols are rejected?' };
    const without = await k.retrieval.provide(question, 'c1', signal);
    assert.ok(without!.chunks.every((c) => isLocatedChunk(c) && c.location.file !== 'src/http/parseUrl.ts'));
    assert.deepEqual(without!.retrieval?.excluded, ['src/http/parseUrl.ts']);
    const elsewhere = await k.retrieval.provide(question, 'c2', signal);
    assert.ok(
      elsewhere!.chunks.some((c) => isLocatedChunk(c) && c.location.file === 'src/http/parseUrl.ts'),
      'other conversations are unaffected',
    );
    await k.pins.setExcluded('c1', 'src/http/parseUrl.ts', false);
    const again = await k.retrieval.provide(question, 'c1', signal);
    assert.ok(isLocatedChunk(again!.chunks[0]) && again!.chunks[0].location.file === 'src/http/parseUrl.ts');
  });

  it("a pinned file's chunks come first whatever the question, above every retrieved chunk", async () => {
    await k.pins.setPinned('c1', 'tools/retry.py', true);
    const provided = await k.retrieval.provide({ prompt: 'How is a URL parsed?' }, 'c1', signal);
    const pinned = provided!.chunks.filter((c) => isLocatedChunk(c) && c.origin === 'pinned');
    assert.ok(pinned.length > 0);
    assert.ok(pinned.every((c) => isLocatedChunk(c) && c.location.file === 'tools/retry.py'));
    const minPinned = Math.min(...pinned.map((c) => (c as { relevance: number }).relevance));
    const maxRetrieved = Math.max(
      ...provided!.chunks.filter((c) => isLocatedChunk(c) && c.origin === 'retrieved').map((c) => (c as { relevance: number }).relevance),
    );
    assert.ok(minPinned > maxRetrieved, `${minPinned} > ${maxRetrieved}`);
    const ids = provided!.chunks.map((c) => (isLocatedChunk(c) ? `${c.location.file}:${c.location.startLine}` : ''));
    assert.equal(new Set(ids).size, ids.length, 'a pinned chunk is not also sent as retrieved');
  });

  it('a pinned file the index does not hold is named in the note', async () => {
    await k.pins.setPinned('c1', 'src/missing.ts', true);
    const provided = await k.retrieval.provide({ prompt: 'parse a url' }, 'c1', signal);
    assert.match(provided!.retrieval!.note!, /src\/missing\.ts is pinned but not in the workspace index/);
  });

  it('a question nothing in the workspace is about brings nothing: a common word is not evidence', async () => {
    const provided = await k.retrieval.provide({ prompt: 'And the error message for a bad line?' }, 'c1', signal);
    assert.deepEqual(provided!.chunks, []);
    assert.equal(provided!.retrieval!.retrieval, 'lexical');
  });

  it('a short follow-up is searched with the previous question', async () => {
    k.set({ earlier: ['How does the LRU cache evict the oldest entry?'] });
    const provided = await k.retrieval.provide({ prompt: 'and why?' }, 'c1', signal);
    assert.ok(isLocatedChunk(provided!.chunks[0]) && provided!.chunks[0].location.file === 'src/cache/lru.ts');
  });

  it('the selection boosts the code around it', async () => {
    k.set({ where: { selection: { file: 'tools/retry.py', startLine: 9, endLine: 10 }, recentFiles: [] } });
    const provided = await k.retrieval.provide({ prompt: 'what does this do' }, 'c1', signal);
    const first = provided!.chunks[0];
    assert.ok(isLocatedChunk(first) && first.location.file === 'tools/retry.py' && first.parts!.selection > 0);
  });

  it('hands over about one and a half times the context room, at least three chunks', async () => {
    k.set({ room: 10 });
    const small = await k.retrieval.provide({ prompt: 'url cache retry backoff protocol entries' }, 'c1', signal);
    assert.equal(small!.chunks.length, 3);
    k.set({ room: 100_000 });
    const large = await k.retrieval.provide({ prompt: 'url cache retry backoff protocol entries' }, 'c1', signal);
    assert.ok(large!.chunks.length > 3);
  });

  it('retrieval off, or an index that cannot answer, brings no chunks and says so', async () => {
    k.set({ availability: { state: 'off' } });
    assert.deepEqual(await k.retrieval.provide({ prompt: 'parse a url' }, 'c1', signal), {
      chunks: [],
      retrieval: { retrieval: 'off', pinned: [], excluded: [] },
    });
    k.set({ availability: { state: 'unavailable', note: 'Open a folder to search its code.' } });
    assert.deepEqual(await k.retrieval.provide({ prompt: 'parse a url' }, 'c1', signal), {
      chunks: [],
      retrieval: { retrieval: 'unavailable', note: 'Open a folder to search its code.', pinned: [], excluded: [] },
    });
  });

  it('a command brings its own context: no search, only the pins', async () => {
    const provided = await k.retrieval.provide({ prompt: 'Explain this code: parseUrl(input)', command: 'explainSelection' }, 'c1', signal);
    assert.deepEqual(provided, { chunks: [], retrieval: { retrieval: 'not-used', note: undefined, pinned: [], excluded: [] } });
  });

  it('a stopped request gets nothing', async () => {
    const stopped = new AbortController();
    stopped.abort();
    assert.equal(await k.retrieval.provide({ prompt: 'parse a url' }, 'c1', stopped.signal), undefined);
  });

  it('Explain Selection: the definitions of the names the selection uses, from other files', async () => {
    const defs = await k.retrieval.definitionsFor({ file: 'src/app.ts', text: 'const cache = new LruCache(10);\nconst url = parseUrl(input);' }, 'c1');
    assert.deepEqual(
      defs.map((d) => [d.symbol, d.path, d.languageId]),
      [
        ['LruCache', 'src/cache/lru.ts', 'typescript'],
        ['parseUrl', 'src/http/parseUrl.ts', 'typescript'],
      ],
    );
    assert.match(defs[1].text, /export function parseUrl\(input: string\): URL/);
    assert.deepEqual(await k.retrieval.definitionsFor({ file: 'src/http/parseUrl.ts', text: 'parseUrl(x)' }, 'c1'), [], 'not from its own file');
    await k.pins.setExcluded('c1', 'src/cache/lru.ts', true);
    assert.deepEqual(
      (await k.retrieval.definitionsFor({ file: 'src/app.ts', text: 'new LruCache(10)' }, 'c1')).map((d) => d.path),
      [],
      'nor from an excluded file',
    );
  });
});
