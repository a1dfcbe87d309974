import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  IndexWorkerError,
  RetrievalOptionError,
  WorkerIndex,
  type IndexNotice,
  type IndexProgress,
  type WorkerIndexOptions,
} from '../../../../../src/core/context/retrieval';
import { ROOT, tempDir } from './retrievalTestKit';
import { LRU, workspace } from './workspaceFixture';

// The worker runs the TypeScript entry through tsx, as the bundled extension runs dist/retrievalWorker.js.
const WORKER = path.join(ROOT, 'src/core/context/retrieval/indexWorker.ts');
const TSX = [`--require`, require.resolve('tsx/cjs')];

function worker(options: Partial<WorkerIndexOptions> = {}): WorkerIndex {
  return new WorkerIndex({ options: { embedding: { model: '' } }, workerScript: WORKER, execArgv: TSX, autoEmbed: false, ...options });
}

describe('worker index: the same API, run in a worker thread', function () {
  this.timeout(30_000);

  it('syncs with progress events, searches and reports stats through messages', async () => {
    const index = worker();
    const progress: IndexProgress[] = [];
    index.onProgress((p) => progress.push(p));
    const many = Array.from({ length: 300 }, (_, i) => ({ path: `gen/cache${i}.ts`, text: LRU.replace(/LruCache/g, `Cache${i}`) }));
    const report = await index.sync([...workspace(), ...many]);
    assert.equal(report.files, 304);
    const chunking = progress.filter((p) => p.phase === 'chunking');
    assert.ok(chunking.length >= 1);
    assert.deepEqual([chunking[chunking.length - 1].done, chunking[chunking.length - 1].total], [304, 304]);
    for (let i = 1; i < chunking.length; i++) assert.ok(chunking[i].done >= chunking[i - 1].done);
    assert.equal(progress[progress.length - 1].phase, 'idle');
    const response = await index.search('how is a url parsed', { limit: 3 });
    assert.equal(response.results[0].chunk.file, 'src/http/parseUrl.ts');
    assert.equal((await index.stats()).files, 304);
    await index.close();
    await assert.rejects(index.search('x'), (e: Error & { code?: string }) => e.code === 'retrieval-closed');
  });

  it('cancels a long sync from an AbortSignal; the index stays usable', async () => {
    const index = worker();
    const controller = new AbortController();
    index.onProgress((p) => {
      if (p.phase === 'chunking') controller.abort();
    });
    const many = Array.from({ length: 2000 }, (_, i) => ({ path: `gen/cache${i}.ts`, text: LRU.replace(/LruCache/g, `Cache${i}`) }));
    await assert.rejects(
      index.sync(many, { signal: controller.signal }),
      (e: Error & { code?: string }) => e.code === 'retrieval-cancelled' && e.name === 'IndexCancelledError',
    );
    const files = (await index.stats()).files;
    assert.ok(files > 0 && files < 2000, `${files} files before the cancel`);
    assert.ok((await index.search('Cache1 capacity')).results.length > 0);
    await index.close();
  });

  it('keeps the main thread responsive while the worker indexes', async () => {
    const index = worker();
    const many = Array.from({ length: 1500 }, (_, i) => ({ path: `gen/cache${i}.ts`, text: LRU.replace(/LruCache/g, `Cache${i}`).repeat(3) }));
    const lags: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      lags.push(now - last - 5);
      last = now;
    }, 5);
    try {
      await index.sync(many);
    } finally {
      clearInterval(timer);
    }
    lags.sort((a, b) => a - b);
    const p99 = lags[Math.floor(lags.length * 0.99)];
    assert.ok(lags.length > 10);
    // A loose bound for a shared test machine; the bench measures the real p99.
    assert.ok(p99 < 100, `main-thread lag p99 ${p99.toFixed(1)} ms`);
    await index.close();
  });

  it('bad options fail on the calling thread with their name', () => {
    assert.throws(() => worker({ options: { lexicalCandidates: 0 } }), RetrievalOptionError);
  });

  it('a worker that dies rejects its calls with IndexWorkerError and says so once', async () => {
    const dir = await tempDir();
    try {
      const script = path.join(dir.dir, 'dies.cjs');
      await writeFile(script, "require('node:worker_threads').parentPort.on('message', () => { throw new Error('boom: out of memory (simulated)'); });\n");
      const index = worker({ workerScript: script, execArgv: [] });
      const notices: IndexNotice[] = [];
      index.onNotice((n) => notices.push(n));
      await assert.rejects(index.stats(), (e: unknown) => e instanceof IndexWorkerError && /boom: out of memory/.test(e.message));
      await assert.rejects(index.search('x'), IndexWorkerError);
      assert.deepEqual(
        notices.map((n) => n.code),
        ['worker-stopped'],
      );
      await index.close();
    } finally {
      await dir.remove();
    }
  });
});
