import assert from 'node:assert/strict';
import { factsOf, layoutOf, parseLocation, type LayoutHint } from '../../../../../src/core/context/compression/layout';
import { familyOfFence, familyOfPath } from '../../../../../src/core/context/compression/languages';

/** One line per text line: S = starts inside a literal, E = its end is inside one, then the comment spans. */
function facts(text: string, hint: LayoutHint): string[] {
  const layout = layoutOf(text, hint);
  return factsOf(layout).map((f) => `${f.startInside ? 'S' : '.'}${f.endInside ? 'E' : '.'}${f.comments.length ? ' ' + JSON.stringify(f.comments) : ''}`);
}

describe('compression layout and scanners', function () {
  it('reads sources and ids as path and line range', function () {
    assert.deepEqual(parseLocation('src/a.ts:10-40'), { path: 'src/a.ts', range: { start: 10, end: 40 } });
    assert.deepEqual(parseLocation('src/a.ts#10-40'), { path: 'src/a.ts', range: { start: 10, end: 40 } });
    assert.deepEqual(parseLocation('src/a.ts#L7-L9'), { path: 'src/a.ts', range: { start: 7, end: 9 } });
    assert.deepEqual(parseLocation('src/a.ts:12'), { path: 'src/a.ts', range: { start: 12, end: 12 } });
    assert.deepEqual(parseLocation('min.js#3-3:100-200'), { path: 'min.js' }, 'a slice of one long line has no line range');
    assert.deepEqual(parseLocation('open editor: util.ts'), { path: 'open editor: util.ts' });
    assert.deepEqual(parseLocation('C:\\work\\a.py:5-6'), { path: 'C:\\work\\a.py', range: { start: 5, end: 6 } });
    assert.deepEqual(parseLocation('a.ts:9-3'), { path: 'a.ts' }, 'a backwards range is no range');
  });

  it('knows families by extension, file name and fence info', function () {
    assert.equal(familyOfPath('src/a.tsx'), 'c');
    assert.equal(familyOfPath('lib/x.py'), 'python');
    assert.equal(familyOfPath('.github/workflows/ci.yml'), 'yaml');
    assert.equal(familyOfPath('Makefile'), 'verbatim');
    assert.equal(familyOfPath('style.css'), 'css');
    assert.equal(familyOfPath('README'), undefined);
    assert.equal(familyOfFence('typescript'), 'c');
    assert.equal(familyOfFence('python {.numberLines}'), 'python');
    assert.equal(familyOfFence(''), undefined);
  });

  it('finds templates, regexes and comments in C-family code', function () {
    const text = "const a = `x  \n\n\n  y`;  // c  \nconst re = /`/; let s = 'q'; /* b\n b2 */ x";
    assert.deepEqual(facts(text, { family: 'c', startsAtLine1: true }), ['.E', 'SE', 'SE', 'S. [[7,13]]', '.. [[29,33]]', '.. [[0,6]]']);
  });

  it('finds triple-quoted strings and comments in Python, and a # inside a string is not one', function () {
    const text = 'def f():\n    """doc  \n\n\n    end"""\n    x = "#"  # real\n';
    assert.deepEqual(facts(text, { family: 'python', startsAtLine1: true }), ['..', '.E', 'SE', 'SE', 'S.', '.. [[13,19]]', '..']);
  });

  it('protects YAML block scalars (their trailing blank lines only with |+), quoted scalars, and plain-scalar blank lines', function () {
    const text = "a: 1  # c\nb: |\n  keep  \n\n\n  more\n\n\nc: 'it''s\n\n  x'\nd: don't # c2\n";
    assert.deepEqual(facts(text, { family: 'yaml', startsAtLine1: true }), [
      '.. [[6,9]]',
      '..',
      'SE',
      'SE',
      'SE',
      'SE',
      '..',
      '..',
      '.E',
      'SE',
      'S.',
      '.. [[9,13]]',
      '..',
    ]);
    assert.deepEqual(facts('k: |+\n  a\n\n\nj: 1', { family: 'yaml', startsAtLine1: true }), ['..', 'SE', 'SE', 'SE', '..']);
    // A blank line inside a multi-line plain scalar is a newline of its value.
    assert.deepEqual(facts('k: one\n  two\n\n  three\nj: 1', { family: 'yaml', startsAtLine1: true }), ['..', '..', 'S.', '..', '..']);
  });

  it('reads a chat message as prose with fenced blocks, keeping Markdown hard breaks', function () {
    const text = "Hi  \n\n\n```py\nx = 1  \n\n\ny = '''\n\n\n'''\n```\nend";
    assert.deepEqual(facts(text, { chat: true }), ['.E', '..', '..', '..', '..', '..', '..', '.E', 'SE', 'SE', 'S.', '..', '..']);
  });

  it("reads Explain's envelope: header, fence, body", function () {
    const text = 'src/a.ts (lines 10-12):\n```typescript\nconst a = 1;\nconst b = 2;\nconst c = 3;\n```';
    const layout = layoutOf(text, { family: 'c' });
    assert.deepEqual(layout.header, { line: 0, path: 'src/a.ts', range: { start: 10, end: 12 } });
    assert.deepEqual(layout.body, { start: 2, end: 5, family: 'c' });
    assert.deepEqual(layout.fence, { open: 1, close: 5 });
  });

  it('protects a fragment that may start inside a string, and one whose guessed start proves wrong', function () {
    // Line 40 of a file, not a definition: it may be inside a template literal.
    assert.deepEqual(facts('  some text  \n\n\n  more`;\nx = 1;  ', { family: 'c' }), ['SE', 'SE', 'SE', 'SE', 'SE']);
    // Opens like a definition, but its scan ends inside a template: the guess was wrong.
    assert.deepEqual(facts('function f() {  \n  return `a\n}', { family: 'c' }), ['SE', 'SE', 'SE']);
    // Opens like a definition and ends balanced: trusted.
    assert.deepEqual(facts('function f() {  \n  return `a`;\n}', { family: 'c' }), ['..', '..', '..']);
    // CSS has no multi-line strings: any fragment may be read.
    assert.deepEqual(facts('a { color: red; }  \n/* c */', { family: 'css' }), ['..', '.. [[0,7]]']);
    assert.deepEqual(facts('x  \n\ny', { family: 'verbatim', startsAtLine1: true }), ['SE', 'SE', 'SE']);
  });
});
