import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkspaceIndex, type IndexNotice, type RetrievalOptionsInput } from '../../../../../src/core/context/retrieval';
import { INDEX_FILE, VECTOR_FILE } from '../../../../../src/core/context/retrieval/indexStore';
import { indexFingerprint, resolveOptions } from '../../../../../src/core/context/retrieval/options';
import { writeContainer } from '../../../../../src/core/context/retrieval/persistence';
import { OllamaSimulator } from '../../../../support/ollamaSimulator';
import { countTokens, tempDir } from './retrievalTestKit';
import { workspace } from './workspaceFixture';

const QUESTIONS = ['how is a url parsed', 'evict the oldest cache entry', 'retry with exponential backoff'];

describe('persisted index: restarts, corrupt files, limits', () => {
  let storage: { dir: string; remove: () => Promise<void> };
  beforeEach(async () => {
    storage = await tempDir('retrieval-store-');
  });
  afterEach(() => storage.remove());

  function open(options: RetrievalOptionsInput = {}): { index: WorkspaceIndex; notices: IndexNotice[] } {
    const index = new WorkspaceIndex({ storageDir: storage.dir, embedding: { model: '' }, ...options }, { countTokens, autoEmbed: false });
    const notices: IndexNotice[] = [];
    index.onNotice((n) => notices.push(n));
    return { index, notices };
  }

  async function answers(index: WorkspaceIndex): Promise<string[][]> {
    return Promise.all(QUESTIONS.map(async (q) => (await index.search(q, { limit: 5 })).results.map((r) => `${r.id} ${r.score.toFixed(6)}`)));
  }

  async function saved(): Promise<string[]> {
    const { index } = open();
    await index.sync(workspace());
    const results = await answers(index);
    await index.persist();
    await index.close();
    return results.flat();
  }

  it('survives a restart: the reopened index answers the same before any file is read', async () => {
    const before = await saved();
    assert.ok(existsSync(path.join(storage.dir, INDEX_FILE)));
    const { index } = open();
    const opened = await index.open();
    assert.deepEqual({ loaded: opened.loaded, files: opened.files, rebuilt: opened.rebuiltBecause }, { loaded: true, files: 4, rebuilt: undefined });
    assert.deepEqual((await answers(index)).flat(), before);
    const stats = await index.stats();
    assert.equal(stats.diskBytes, (await stat(path.join(storage.dir, INDEX_FILE))).size);
    const resync = await index.sync(workspace());
    assert.deepEqual({ unchanged: resync.unchanged, added: resync.added, updated: resync.updated }, { unchanged: 4, added: 0, updated: 0 });
    await index.close();
  });

  it('saves by itself after a change (debounced) and on close', async () => {
    const { index } = open({ persistDebounceMs: 10 });
    await index.sync(workspace());
    for (let i = 0; i < 50 && !existsSync(path.join(storage.dir, INDEX_FILE)); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(existsSync(path.join(storage.dir, INDEX_FILE)), 'saved after the debounce');
    await index.update({ deleted: ['README.md'] });
    await index.close();
    const reopened = open();
    assert.equal((await reopened.index.open()).files, 3, 'the close saved the last change');
    await reopened.index.close();
  });

  const corruptions: [name: string, damage: (bytes: Buffer) => Buffer, reason: RegExp][] = [
    ['truncated', (b) => b.subarray(0, Math.floor(b.length / 2)), /checksum mismatch/],
    ['overwritten with garbage', (b) => Buffer.from(Array.from({ length: b.length }, (_, i) => (i * 7919) % 256)), /wrong magic bytes/],
    ['damaged by one flipped byte', (b) => Buffer.concat([b.subarray(0, 100), Buffer.from([b[100] ^ 0xff]), b.subarray(101)]), /checksum mismatch/],
    [
      'of another format version',
      (b) => {
        const copy = Buffer.from(b);
        copy.writeUInt32LE(99, 4);
        return copy;
      },
      /format 99, this version reads 1/,
    ],
    ['that is empty', () => Buffer.alloc(0), /only 0 bytes/],
  ];
  for (const [name, damage, reason] of corruptions) {
    it(`an index file ${name} is detected, removed and rebuilt, never a crash`, async () => {
      const before = await saved();
      const file = path.join(storage.dir, INDEX_FILE);
      await writeFile(file, damage(await readFile(file)));
      const { index, notices } = open();
      const opened = await index.open();
      assert.equal(opened.loaded, false);
      assert.match(opened.rebuiltBecause ?? '', reason);
      assert.equal(existsSync(file), false, 'the bad file is gone');
      const notice = notices.find((n) => n.code === 'index-rebuilt');
      assert.ok(notice);
      assert.equal(notice.details.file, INDEX_FILE);
      assert.equal((await index.stats()).chunks, 0);
      await index.sync(workspace());
      assert.deepEqual((await answers(index)).flat(), before, 'the rebuilt index answers as before');
      await index.persist();
      assert.ok(existsSync(file));
      await index.close();
    });
  }

  it('a well-formed file with inconsistent content (checksum right, arrays wrong) is rebuilt too', async () => {
    const fingerprint = indexFingerprint(resolveOptions({ storageDir: storage.dir, embedding: { model: '' } }));
    await writeContainer(
      path.join(storage.dir, INDEX_FILE),
      'THRX',
      { fingerprint, files: [], chunkFiles: ['a.ts'], languages: ['typescript'], rows: [[0, 1, 2, 'block', 5, 'ffff', 'not-a-list', [], 0]] },
      {
        terms: Buffer.from('x'),
        offsets: new Uint32Array([0, 1]),
        docs: new Int32Array([7]),
        tfs: new Uint16Array([1]),
        docLengths: new Uint32Array([1]),
        blob: Buffer.from('abc'),
        spans: new Uint32Array([0, 3]),
        fileDocs: new Uint32Array(0),
      },
    );
    const { index, notices } = open();
    const opened = await index.open();
    assert.equal(opened.loaded, false);
    assert.match(opened.rebuiltBecause ?? '', /row 0/);
    assert.equal(notices[0]?.code, 'index-rebuilt');
    await index.close();
  });

  it('an index saved with other chunking options is rebuilt, not trusted', async () => {
    await saved();
    const { index } = open({ chunker: { maxChunkTokens: 200 } });
    const opened = await index.open();
    assert.equal(opened.loaded, false);
    assert.match(opened.rebuiltBecause ?? '', /other chunking options/);
    await index.close();
  });

  it('does not save over the disk limit, and says how much it needed', async () => {
    const { index, notices } = open({ limits: { maxDiskBytes: 1000 } });
    await index.sync(workspace());
    await index.persist();
    const n = notices.find((x) => x.code === 'disk-limit');
    assert.ok(n);
    assert.equal(n.details.limit, 1000);
    assert.ok(Number(n.details.bytes) > 1000);
    assert.equal(existsSync(path.join(storage.dir, INDEX_FILE)), false);
    await index.close();
  });

  it('a storage folder that cannot be written is a notice, and search keeps working', async () => {
    const blocker = path.join(storage.dir, 'not-a-folder');
    await writeFile(blocker, 'x');
    const index = new WorkspaceIndex({ storageDir: blocker, embedding: { model: '' } }, { countTokens, autoEmbed: false });
    const notices: IndexNotice[] = [];
    index.onNotice((n) => notices.push(n));
    await index.sync(workspace());
    await index.persist();
    assert.equal(notices.find((n) => n.code === 'persist-failed')?.details.dir, blocker);
    assert.ok((await index.search('url')).results.length > 0);
    await index.close();
  });

  describe('vectors', () => {
    let sim: OllamaSimulator;
    before(async () => {
      sim = new OllamaSimulator();
      await sim.start();
    });
    after(() => sim.stop());
    beforeEach(() => sim.reset());

    const semantic = (): RetrievalOptionsInput => ({ embedding: { ollamaUrl: sim.url, model: 'nomic-embed-text', batchSize: 8 } });
    const embedCalls = () => sim.requests.filter((r) => r.path === '/api/embed').length;

    it('are saved and reattached by chunk content: a restart embeds nothing again', async () => {
      const first = open(semantic());
      await first.index.sync(workspace());
      await first.index.embed();
      const chunks = (await first.index.stats()).chunks;
      await first.index.persist();
      await first.index.close();
      assert.ok(existsSync(path.join(storage.dir, VECTOR_FILE)));
      const calls = embedCalls();
      const { index } = open(semantic());
      const opened = await index.open();
      assert.equal(opened.vectors, chunks);
      await index.sync(workspace());
      assert.equal((await index.embed()).embedded, 0);
      assert.equal(embedCalls(), calls, 'no document was embedded again');
      const response = await index.search('evict the oldest cache entry');
      assert.equal(response.semantic, true);
      assert.equal(embedCalls(), calls + 1, 'only the query was embedded');
      await index.close();
    });

    it('a corrupt vector file costs the vectors only: the lexical index loads', async () => {
      const first = open(semantic());
      await first.index.sync(workspace());
      await first.index.embed();
      await first.index.persist();
      await first.index.close();
      const file = path.join(storage.dir, VECTOR_FILE);
      const bytes = await readFile(file);
      await writeFile(file, bytes.subarray(0, bytes.length - 10));
      const { index } = open(semantic());
      const opened = await index.open();
      assert.equal(opened.loaded, true);
      assert.equal(opened.vectors, 0);
      const stats = await index.stats();
      assert.equal(stats.pendingEmbeddings, stats.chunks);
      assert.ok((await index.embed()).embedded > 0);
      await index.close();
    });

    it('saved with another embedding model: the vectors are dropped, the lexical index kept', async () => {
      const first = open(semantic());
      await first.index.sync(workspace());
      await first.index.embed();
      await first.index.persist();
      await first.index.close();
      sim.embeddings.configure({ name: 'all-minilm:latest', dimensions: 384, contextLength: 512 });
      const { index } = open({ embedding: { ollamaUrl: sim.url, model: 'all-minilm' } });
      const opened = await index.open();
      assert.deepEqual({ loaded: opened.loaded, vectors: opened.vectors }, { loaded: true, vectors: 0 });
      await index.embed();
      assert.equal((await index.stats()).dimensions, 384);
      await index.close();
    });
  });
});
