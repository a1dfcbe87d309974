import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  RetrievalOptionError,
  WorkspaceIndex,
  type IndexNotice,
  type RetrievalOptionsInput,
  type WorkspaceFile,
} from '../../../../../src/core/context/retrieval';
import { OllamaSimulator } from '../../../../support/ollamaSimulator';
import { countTokens, tempDir } from './retrievalTestKit';
import { LRU, PARSE_URL, workspace } from './workspaceFixture';

const lexicalOnly: RetrievalOptionsInput = { embedding: { model: '' } };

function open(options: RetrievalOptionsInput = lexicalOnly, autoEmbed = false): { index: WorkspaceIndex; notices: IndexNotice[] } {
  const index = new WorkspaceIndex(options, { countTokens, autoEmbed });
  const notices: IndexNotice[] = [];
  index.onNotice((n) => notices.push(n));
  return { index, notices };
}

async function filesOf(index: WorkspaceIndex, query: string): Promise<string[]> {
  return (await index.search(query, { limit: 50 })).results.map((r) => r.chunk.file);
}

describe('workspace index: files in, ranked chunks out (one thread)', () => {
  it('finds a function by the words of a question, with its score, reasons and a stable id', async () => {
    const { index } = open();
    const report = await index.sync(workspace());
    assert.deepEqual({ files: report.files, added: report.added }, { files: 4, added: 4 });
    const response = await index.search('how is a url parsed and its protocol checked?');
    const top = response.results[0];
    assert.equal(top.chunk.file, 'src/http/parseUrl.ts');
    assert.ok(top.chunk.symbols.includes('parseUrl'));
    assert.equal(top.id, `src/http/parseUrl.ts#${top.chunk.startLine}-${top.chunk.endLine}`);
    assert.equal(top.why.lexicalRank, 1);
    assert.equal(top.score, top.why.lexical);
    assert.equal(response.semantic, false);
    assert.ok(response.timings.totalMs >= response.timings.lexicalMs);
    for (let i = 1; i < response.results.length; i++) assert.ok(response.results[i - 1].score >= response.results[i].score);
    await index.close();
  });

  it('an updated file replaces its chunks; an unchanged one is not chunked again', async () => {
    const { index } = open();
    await index.sync(workspace());
    const before = (await index.stats()).chunks;
    const changed = LRU.replace('evictOldest', 'dropLeastRecentlyUsed').replace('evictOldest', 'dropLeastRecentlyUsed');
    const report = await index.update({
      changed: [
        { path: 'src/cache/lru.ts', text: changed },
        { path: 'src/http/parseUrl.ts', text: PARSE_URL },
      ],
    });
    assert.deepEqual({ updated: report.updated, unchanged: report.unchanged }, { updated: 1, unchanged: 1 });
    const texts = async (q: string) => (await index.search(q, { limit: 50 })).results.map((r) => r.chunk.text).join('\n');
    assert.ok(!(await texts('evictOldest')).includes('evictOldest'), 'the old text is gone');
    assert.deepEqual(await filesOf(index, 'dropLeastRecentlyUsed'), ['src/cache/lru.ts']);
    assert.equal((await index.stats()).chunks, before);
    await index.close();
  });

  it('a deleted file (or folder) takes its chunks along', async () => {
    const { index } = open();
    await index.sync(workspace());
    await index.update({ deleted: ['src/cache/lru.ts'] });
    assert.ok(!(await filesOf(index, 'LruCache capacity')).includes('src/cache/lru.ts'));
    await index.update({ deleted: ['src/http'] });
    assert.ok(!(await filesOf(index, 'parseUrl protocol')).some((f) => f.startsWith('src/http/')));
    assert.equal((await index.stats()).files, 2);
    await index.close();
  });

  it('a rename moves the chunks: the old path is gone, the new one found (files and folders)', async () => {
    const { index } = open();
    await index.sync(workspace());
    const r = await index.update({ renamed: [{ from: 'src/cache/lru.ts', to: { path: 'src/cache/recentCache.ts', text: LRU } }] });
    assert.deepEqual({ added: r.added, removed: r.removed }, { added: 1, removed: 1 });
    const found = await filesOf(index, 'LruCache evictOldest');
    assert.equal(found[0], 'src/cache/recentCache.ts');
    assert.ok(!found.includes('src/cache/lru.ts'));
    const ws = await tempDir();
    try {
      await mkdir(path.join(ws.dir, 'lib/net'), { recursive: true });
      await writeFile(path.join(ws.dir, 'lib/net/parseUrl.ts'), PARSE_URL);
      await index.update({ renamed: [{ from: 'src/http', to: { path: 'lib/net', fsPath: path.join(ws.dir, 'lib/net') } }] });
      const moved = await filesOf(index, 'parseUrl protocol');
      assert.equal(moved[0], 'lib/net/parseUrl.ts');
      assert.ok(!moved.some((f) => f.startsWith('src/http/')));
    } finally {
      await ws.remove();
    }
    await index.close();
  });

  it('reads .gitignore files (nested ones too) and drops what a changed .gitignore now ignores', async () => {
    const ws = await tempDir();
    try {
      const put = async (p: string, text: string) => {
        await mkdir(path.dirname(path.join(ws.dir, p)), { recursive: true });
        await writeFile(path.join(ws.dir, p), text);
      };
      await put('.gitignore', 'build/\n*.log\n');
      await put('src/.gitignore', 'generated.ts\n');
      await put('src/app.ts', 'export function startApp() { return 1; }\n');
      await put('src/generated.ts', 'export const generatedTable = [1, 2, 3];\n');
      await put('build/app.js', 'function startApp() { return 1; }\n');
      await put('debug.log', 'startApp called\n');
      await put('docs/guide.md', '# Guide\nCall startApp to begin.\n');
      const listed: WorkspaceFile[] = ['.gitignore', 'src/.gitignore', 'src/app.ts', 'src/generated.ts', 'build/app.js', 'debug.log', 'docs/guide.md'].map(
        (p) => ({ path: p }),
      );
      const { index } = open({ ...lexicalOnly, root: ws.dir });
      await index.sync(listed);
      assert.deepEqual([...new Set(await filesOf(index, 'startApp generatedTable'))].sort(), ['docs/guide.md', 'src/app.ts']);
      await put('.gitignore', 'build/\n*.log\ndocs/\n');
      await index.update({ changed: [{ path: '.gitignore' }] });
      assert.deepEqual([...new Set(await filesOf(index, 'startApp'))], ['src/app.ts']);
      await index.close();
    } finally {
      await ws.remove();
    }
  });

  it('skips binaries, lock files, bundles and @generated files, with one notice per kind', async () => {
    const { index, notices } = open();
    const report = await index.sync([
      ...workspace(),
      { path: 'assets/logo.png', text: 'PNG' },
      { path: 'data/blob.dat2', text: 'abc\0def' },
      { path: 'package-lock.json', text: '{"lockfileVersion": 3}' },
      { path: 'src/api.pb.ts', text: '// @generated by protoc\nexport const x = 1;\n' },
      { path: 'dist/app.js', text: 'var a=1;'.repeat(2000) },
    ]);
    assert.equal(report.files, 4);
    assert.equal(report.skipped, 5);
    const codes = notices.map((n) => n.code).sort();
    assert.deepEqual(codes, ['binary-skipped', 'generated-skipped']);
    const generated = notices.find((n) => n.code === 'generated-skipped')!;
    assert.equal(generated.details.count, 3);
    assert.equal(notices.find((n) => n.code === 'binary-skipped')!.details.count, 2);
    await index.close();
  });

  it('every limit is a notice with its numbers, and the index stays within it', async () => {
    const big = { path: 'src/huge.ts', text: `export const table = [${'1, '.repeat(600)}];\n` };
    {
      const { index, notices } = open({ ...lexicalOnly, limits: { maxFileBytes: 1000 } });
      await index.sync([...workspace(), big]);
      const n = notices.find((x) => x.code === 'file-too-large')!;
      assert.deepEqual(n.details, { count: 1, example: 'src/huge.ts', bytes: Buffer.byteLength(big.text), limit: 1000 });
      assert.match(n.message, /src\/huge\.ts was not indexed: it has 0\.0 MB, over the 0\.0 MB limit per file/);
      await index.close();
    }
    {
      const { index, notices } = open({ ...lexicalOnly, limits: { maxFiles: 2 } });
      const r = await index.sync(workspace());
      assert.equal(r.files, 2);
      assert.deepEqual(notices.find((x) => x.code === 'too-many-files')!.details, { listed: 4, limit: 2, skipped: 2 });
      await index.close();
    }
    {
      const total = workspace().reduce((a, f) => a + Buffer.byteLength(f.text!), 0);
      const { index, notices } = open({ ...lexicalOnly, limits: { maxTotalBytes: total - 1 } });
      await index.sync(workspace());
      const stats = await index.stats();
      assert.ok(stats.bytes <= total - 1);
      assert.equal(notices.find((x) => x.code === 'total-bytes-limit')!.details.limit, total - 1);
      await index.close();
    }
    {
      const { index, notices } = open({ ...lexicalOnly, limits: { maxChunks: 3 } });
      await index.sync(workspace());
      assert.ok((await index.stats()).chunks <= 3);
      assert.equal(notices.find((x) => x.code === 'chunk-limit')!.details.limit, 3);
      await index.close();
    }
  });

  it('boosts the chunks around the selection and in recently edited files, and says so', async () => {
    const { index } = open();
    await index.sync(workspace());
    const plain = await index.search('return');
    const near = await index.search('return', { selection: { file: 'tools/retry.py', startLine: 10, endLine: 11 }, recentFiles: ['src/http/parseUrl.ts'] });
    const retry = near.results.find((r) => r.chunk.file === 'tools/retry.py')!;
    assert.ok(retry.why.selection > 0);
    assert.equal(retry.why.selectionDistance, 0);
    assert.equal(retry.score, retry.why.lexical + retry.why.selection);
    // Every chunk returns something; the one at the selection comes first, before it did not.
    assert.notEqual(plain.results[0].chunk.file, 'tools/retry.py');
    assert.equal(near.results[0].chunk.file, 'tools/retry.py');
    const recent = near.results.find((r) => r.chunk.file === 'src/http/parseUrl.ts')!;
    assert.equal(recent.why.recentIndex, 0);
    assert.ok(recent.why.recent > 0);
    await index.close();
  });

  it('a cancelled sync rejects with IndexCancelledError and leaves a usable index', async () => {
    const { index } = open();
    const many = Array.from({ length: 400 }, (_, i) => ({ path: `gen/file${i}.ts`, text: PARSE_URL.replace(/parseUrl/g, `parseUrl${i}`) }));
    const controller = new AbortController();
    // Cancel as soon as the first file is chunked.
    index.onProgress((p) => {
      if (p.phase === 'chunking') controller.abort();
    });
    await assert.rejects(
      index.sync(many, { signal: controller.signal }),
      (e: Error & { code?: string }) => e.code === 'retrieval-cancelled' && /cancelled after \d+ of 400 files/.test(e.message),
    );
    const partial = (await index.stats()).files;
    assert.ok(partial >= 1 && partial < 400, `${partial} files indexed before the cancel`);
    const done = await index.sync(many);
    assert.equal(done.files, 400);
    assert.equal(done.unchanged, partial, 'what was done before the cancel is not redone');
    await index.close();
  });

  it('answers searches while a long sync is still running', async () => {
    const { index } = open();
    await index.sync(workspace());
    const many = Array.from({ length: 600 }, (_, i) => ({ path: `gen/file${i}.ts`, text: LRU.replace(/LruCache/g, `Cache${i}`) }));
    let syncDone = false;
    const sync = index.sync([...workspace(), ...many]).then(() => (syncDone = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const answer = await index.search('parseUrl protocol');
    assert.equal(syncDone, false, 'the search did not wait for the sync');
    assert.equal(answer.results[0].chunk.file, 'src/http/parseUrl.ts');
    await sync;
    await index.close();
  });

  it('rejects an option out of range with its name, and a closed index with IndexClosedError', async () => {
    assert.throws(
      () => new WorkspaceIndex({ chunker: { maxChunkTokens: 3 } }, { countTokens }),
      (e: unknown) => e instanceof RetrievalOptionError && e.option === 'chunker.maxChunkTokens',
    );
    assert.throws(() => new WorkspaceIndex({ limits: { maxFiles: 0 } }, { countTokens }), /limits\.maxFiles = 0: must be an integer from 1/);
    const { index } = open();
    await index.close();
    await assert.rejects(index.search('x'), (e: Error & { code?: string }) => e.code === 'retrieval-closed');
  });

  describe('with embeddings from the simulator (plumbing, not semantic quality)', () => {
    let sim: OllamaSimulator;
    before(async () => {
      sim = new OllamaSimulator();
      await sim.start();
    });
    after(() => sim.stop());
    beforeEach(() => sim.reset());

    const semantic = (): RetrievalOptionsInput => ({ embedding: { ollamaUrl: sim.url, model: 'nomic-embed-text', batchSize: 4 } });

    it('embeds every chunk, then fuses lexical and vector ranks', async () => {
      const { index } = open(semantic());
      await index.sync(workspace());
      const report = await index.embed();
      const stats = await index.stats();
      assert.equal(report.embedded, stats.chunks);
      assert.deepEqual(
        { embedded: stats.embedded, pending: stats.pendingEmbeddings, semantic: stats.semantic, dims: stats.dimensions, context: stats.embeddingContext },
        { embedded: stats.chunks, pending: 0, semantic: 'ready', dims: 768, context: 2048 },
      );
      const response = await index.search('evict the oldest entry of the LruCache');
      assert.equal(response.semantic, true);
      assert.equal(response.note, undefined);
      assert.ok(response.results.some((r) => r.why.vectorRank !== undefined && r.why.lexicalRank !== undefined));
      const top = response.results[0];
      assert.equal(top.chunk.file, 'src/cache/lru.ts');
      assert.equal(top.score, top.why.lexical + top.why.vector);
      const inputs = sim.requests.filter((r) => r.path === '/api/embed').flatMap((r) => (r.body as { input: string[] }).input);
      assert.ok(inputs.slice(0, -1).every((i) => i.startsWith('search_document: ')));
      assert.ok(inputs[inputs.length - 1].startsWith('search_query: '));
      await index.close();
    });

    it('a renamed file keeps its vectors (no new embedding requests for unchanged chunks)', async () => {
      const { index } = open(semantic());
      await index.sync(workspace());
      await index.embed();
      const before = sim.requests.filter((r) => r.path === '/api/embed').length;
      await index.update({ renamed: [{ from: 'tools/retry.py', to: { path: 'tools/backoff.py', text: workspace()[2].text } }] });
      const report = await index.embed();
      assert.equal(report.embedded, 0);
      assert.equal(sim.requests.filter((r) => r.path === '/api/embed').length, before);
      assert.equal((await index.stats()).pendingEmbeddings, 0);
      await index.close();
    });

    it('a missing embedding model is not an error: lexical results and the pull note', async () => {
      sim.embeddings.remove('nomic-embed-text:latest');
      const { index, notices } = open(semantic(), true);
      await index.sync(workspace());
      await index.embed();
      const response = await index.search('url protocol');
      assert.equal(response.semantic, false);
      assert.ok(response.results.length > 0);
      assert.equal(response.note, '`ollama pull nomic-embed-text` for semantic search');
      const stats = await index.stats();
      assert.equal(stats.semantic, 'model-missing');
      assert.equal(stats.note, '`ollama pull nomic-embed-text` for semantic search');
      assert.equal(notices.filter((n) => n.code === 'embedding-model-missing').length, 1);
      await index.close();
    });

    it('embeds in the background after a sync, by itself', async () => {
      const { index } = open(semantic(), true);
      await index.sync(workspace());
      const progress: string[] = [];
      index.onProgress((p) => progress.push(p.phase));
      // The background job is queued behind the sync: a queued stats call waits for nothing, so poll.
      for (let i = 0; i < 100 && (await index.stats()).pendingEmbeddings > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal((await index.stats()).pendingEmbeddings, 0);
      assert.ok(progress.includes('embedding'));
      await index.close();
    });
  });
});
