import * as assert from 'node:assert/strict';
import { buildExplainPrompt, fence } from '../../../../src/core/context/explainContext';

const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n');

describe('Explain Selection prompt', () => {
  it('puts the selection in the user input with the file and 1-based lines', () => {
    const p = buildExplainPrompt({
      document: { path: 'src/a.ts', languageId: 'typescript', text: numbered(10) },
      startLine: 2,
      endLine: 4,
      selectedText: 'line 3\nline 4\nline 5',
    });
    assert.equal(p.title, 'src/a.ts, lines 3-5');
    assert.equal(p.userInput, 'Explain this code from src/a.ts, lines 3-5:\n\n```typescript\nline 3\nline 4\nline 5\n```');
  });

  it('ranks nearer code above farther code, above and below the selection', () => {
    const p = buildExplainPrompt({
      document: { path: 'a.py', languageId: 'python', text: numbered(100) },
      startLine: 50,
      endLine: 50,
      selectedText: 'line 51',
      chunkLines: 10,
    });
    const bySource = new Map(p.chunks.map((c) => [c.source, c.relevance]));
    assert.equal(bySource.get('a.py:41-50'), 1);
    assert.equal(bySource.get('a.py:52-61'), 1);
    assert.equal(bySource.get('a.py:31-40'), 0.75);
    assert.equal(bySource.get('a.py:92-100'), 0.6);
    assert.equal(bySource.get('a.py:1-10'), 0.6);
    // every line except the selected one is in exactly one chunk
    const covered = p.chunks.flatMap((c) => {
      const [a, b] = c.source.split(':')[1].split('-').map(Number);
      return Array.from({ length: b - a + 1 }, (_, i) => a + i);
    });
    assert.deepEqual(
      covered.sort((x, y) => x - y),
      Array.from({ length: 100 }, (_, i) => i + 1).filter((l) => l !== 51),
    );
  });

  it('ranks other open editors below every chunk of the same file, in editor order', () => {
    const p = buildExplainPrompt({
      document: { path: 'a.ts', languageId: 'typescript', text: numbered(300) },
      startLine: 0,
      endLine: 0,
      selectedText: 'line 1',
      chunkLines: 30,
      otherEditors: [
        { path: 'b.ts', languageId: 'typescript', text: 'export const b = 1;' },
        { path: 'a.ts', languageId: 'typescript', text: 'dup' },
        { path: 'c.ts', languageId: 'typescript', text: 'export const c = 2;' },
      ],
    });
    const sameFileMin = Math.min(...p.chunks.filter((c) => c.source.startsWith('a.ts')).map((c) => c.relevance));
    const b = p.chunks.find((c) => c.source.startsWith('b.ts'))!;
    const c = p.chunks.find((c) => c.source.startsWith('c.ts'))!;
    assert.ok(b.relevance < sameFileMin && c.relevance < b.relevance, `b=${b.relevance} c=${c.relevance} same=${sameFileMin}`);
    assert.equal(p.chunks.filter((x) => x.text.includes('dup')).length, 0, 'the active file is not added twice');
  });

  it('adds the definitions the selection uses: below the two nearest steps of its file, above farther code and other editors', () => {
    const p = buildExplainPrompt({
      document: { path: 'a.py', languageId: 'python', text: numbered(100) },
      startLine: 50,
      endLine: 50,
      selectedText: 'line 51',
      chunkLines: 10,
      otherEditors: [{ path: 'b.py', languageId: 'python', text: 'x = 1' }],
      definitions: [
        { symbol: 'retry', path: 'lib/retry.py', languageId: 'python', startLine: 4, endLine: 12, text: 'def retry(action):\n    return action()' },
        { symbol: 'own', path: 'a.py', languageId: 'python', startLine: 1, endLine: 2, text: 'def own(): pass' },
        { symbol: 'Policy', path: 'lib/policy.py', languageId: 'python', startLine: 1, endLine: 3, text: 'class Policy: pass' },
      ],
    });
    const defs = p.chunks.filter((c) => c.origin === 'definition');
    assert.deepEqual(
      defs.map((d) => [d.source, d.relevance]),
      [
        ['lib/retry.py:4-12', 0.74],
        ['lib/policy.py:1-3', 0.72],
      ],
      "the selection's own file is in the prompt already",
    );
    assert.equal(defs[0].text, 'Definition of retry, lib/retry.py (lines 4-12):\n```python\ndef retry(action):\n    return action()\n```');
    assert.deepEqual(defs[0].location, { file: 'lib/retry.py', startLine: 4, endLine: 12 });
    const rel = (source: string) => p.chunks.find((c) => c.source === source)!.relevance;
    assert.ok(rel('a.py:31-40') > 0.74 && 0.72 > rel('a.py:21-30'), 'between the second and the third step of the same file');
    assert.ok(0.72 > p.chunks.find((c) => c.origin === 'editor')!.relevance);
    assert.deepEqual(new Set(p.chunks.map((c) => c.origin)), new Set(['selection', 'definition', 'editor']));
  });

  it('handles an empty file and a whole-file selection without chunks', () => {
    assert.deepEqual(
      buildExplainPrompt({ document: { path: 'e.ts', languageId: 'typescript', text: '' }, startLine: 0, endLine: 0, selectedText: '' }).chunks,
      [],
    );
    assert.deepEqual(
      buildExplainPrompt({ document: { path: 'e.ts', languageId: 'typescript', text: numbered(5) }, startLine: 0, endLine: 4, selectedText: numbered(5) })
        .chunks,
      [],
    );
  });

  it('fences code that itself contains backtick fences', () => {
    assert.equal(fence('md', 'a ``` b'), '````md\na ``` b\n````');
    assert.equal(fence('js', 'x'), '```js\nx\n```');
  });
});
