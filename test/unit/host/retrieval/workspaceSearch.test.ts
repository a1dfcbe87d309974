import assert from 'node:assert/strict';
import { WorkspaceSearch } from '../../../../src/host/retrieval/workspaceSearch';
import { indexOf } from './retrievalKit';
import { PARSE_URL, RETRY } from '../../core/context/retrieval/workspaceFixture';

describe('workspace search: one search over every folder', () => {
  it('a multi-root workspace shows and resolves paths as <folder>/<path> and merges the folders by score', async () => {
    const web = await indexOf([{ path: 'src/parseUrl.ts', text: PARSE_URL }]);
    const tools = await indexOf([{ path: 'retry.py', text: RETRY }]);
    const search = new WorkspaceSearch(() => [
      { name: 'web', index: web },
      { name: 'tools', index: tools },
    ]);
    assert.equal(search.display('web', 'src/a.ts'), 'web/src/a.ts');
    assert.deepEqual(search.resolve('tools/retry.py')?.path, 'retry.py');
    assert.equal(search.resolve('elsewhere/x.ts'), undefined);
    const { hits } = await search.search('parse url protocol retry backoff attempts', { limit: 10 });
    assert.deepEqual(new Set(hits.map((h) => h.file)), new Set(['web/src/parseUrl.ts', 'tools/retry.py']));
    assert.deepEqual(
      hits.map((h) => h.hit.score),
      [...hits.map((h) => h.hit.score)].sort((a, b) => b - a),
    );
    const near = await search.search('code', { limit: 3, selection: { file: 'tools/retry.py', startLine: 1, endLine: 2 } });
    assert.ok(near.hits[0].file === 'tools/retry.py' && near.hits[0].hit.why.selection > 0, 'the selection reaches its own folder only');
    const own = await search.chunksOf('web/src/parseUrl.ts', 'anything', 10);
    assert.ok(own.length > 0 && own.every((h) => h.file === 'web/src/parseUrl.ts'), 'every chunk of a pinned file, and only its');
    await web.close();
    await tools.close();
  });

  it('a folder whose index fails is skipped and named; the others still answer', async () => {
    const web = await indexOf([{ path: 'src/parseUrl.ts', text: PARSE_URL }]);
    const broken = { search: () => Promise.reject(new Error('the worker thread exited')) };
    const search = new WorkspaceSearch(() => [
      { name: 'web', index: web },
      { name: 'tools', index: broken },
    ]);
    const r = await search.search('parse url', { limit: 5 });
    assert.ok(r.hits.length > 0);
    assert.equal(r.note, 'The index of tools could not answer (the worker thread exited).');
    assert.deepEqual(await search.chunksOf('tools/x.py', 'q', 5), []);
    await web.close();
  });
});
