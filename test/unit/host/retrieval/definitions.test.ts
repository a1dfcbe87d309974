import assert from 'node:assert/strict';
import type { SearchResult } from '../../../../src/core/context/retrieval';
import { pickDefinitions, usedNames } from '../../../../src/host/retrieval/definitions';
import type { FoundChunk } from '../../../../src/host/retrieval/workspaceSearch';

function found(file: string, symbols: string[], startLine = 1): FoundChunk {
  const hit = {
    id: `${file}#${startLine}`,
    score: 0.01,
    chunk: {
      file,
      startLine,
      endLine: startLine + 4,
      kind: 'function',
      symbols,
      enclosing: [],
      language: 'python',
      tokens: 20,
      text: `def ${symbols[0]}(): pass`,
    },
    why: { lexical: 0.01, vector: 0, selection: 0, recent: 0 },
  } as SearchResult;
  return { file, hit };
}

describe('Explain Selection: the definitions of what the selection uses', () => {
  it('names in order of first use, without keywords, short names, or what the selection defines itself', () => {
    const code = 'const total = computeTotal(items);\nfunction local(x) { return retryPolicy.run(() => total + x); }\nif (ok) local(total);';
    assert.deepEqual(usedNames(code), ['computeTotal', 'items', 'retryPolicy', 'run']);
    assert.deepEqual(usedNames('self.fetch_page(url)\nreturn None', 10), ['fetch_page', 'url']);
    assert.equal(usedNames(Array.from({ length: 40 }, (_, i) => `name${i}`).join(' '), 5).length, 5);
  });

  it('one definition per name: the first hit that defines it (qualified symbols too), outside the own file and exclusions', () => {
    const defs = pickDefinitions(
      [
        ['run', [found('own.py', ['run']), found('vendor/x.py', ['Runner.run']), found('tools/retry.py', ['RetryPolicy.run'])]],
        ['items', [found('tools/retry.py', ['delay'])]],
        ['RetryPolicy', [found('tools/retry.py', ['RetryPolicy.run'], 1), found('tools/policy.py', ['RetryPolicy'], 3)]],
      ],
      'own.py',
      (file) => file.startsWith('vendor/'),
    );
    assert.deepEqual(
      defs.map((d) => [d.symbol, d.path, d.startLine]),
      [
        ['run', 'tools/retry.py', 1],
        ['RetryPolicy', 'tools/policy.py', 3],
      ],
    );
  });

  it('a chunk defining two used names is added once; at most `max` definitions', () => {
    const both = found('a.py', ['A.one', 'A.two']);
    assert.equal(
      pickDefinitions(
        [
          ['one', [both]],
          ['two', [both]],
        ],
        'x.py',
        () => false,
      ).length,
      1,
    );
    const many = Array.from({ length: 10 }, (_, i) => [`n${i}`, [found(`f${i}.py`, [`n${i}`])]] as const);
    assert.equal(pickDefinitions(many, 'x.py', () => false, 3).length, 3);
  });
});
