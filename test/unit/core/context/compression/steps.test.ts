import assert from 'node:assert/strict';
import { dropComments, withoutComments } from '../../../../../src/core/context/compression/comments';
import { elideMiddle, elideToFit } from '../../../../../src/core/context/compression/elide';
import { mergeOverlapping } from '../../../../../src/core/context/compression/overlap';
import { dedupeRepeats } from '../../../../../src/core/context/compression/repeats';
import type { Piece } from '../../../../../src/core/context/compression/types';
import { collapseBlankRuns, trimTrailingWhitespace } from '../../../../../src/core/context/compression/whitespace';

// One token per character: exact, predictable savings.
const measure = (t: string) => t.length;
const chunk = (index: number, text: string, source?: string, rank = index): Piece => ({ id: `c${index}`, section: 'context', index, text, source, rank });
const message = (index: number, text: string, rank: number, role: 'user' | 'assistant' = 'user'): Piece => ({
  id: `h${index}`,
  section: 'history',
  index,
  text,
  rank,
  role,
});
const numbered = (from: number, to: number, prefix = 'line') =>
  Array.from({ length: to - from + 1 }, (_, k) => `  ${prefix}(${from + k}); // step ${from + k}`);

describe('compression steps', function () {
  describe('trimTrailingWhitespace and collapseBlankRuns', function () {
    it('trim spaces and tabs at line ends and keep one blank line, outside literals only', function () {
      const text = 'const a = 1;  \n\n\n\nconst t = `x  \n\n\ny`;\t\n\n';
      const trimmed = trimTrailingWhitespace([chunk(0, text, 'src/a.ts:1-9')], measure);
      assert.equal(trimmed.pieces[0].text, 'const a = 1;\n\n\n\nconst t = `x  \n\n\ny`;\n\n');
      assert.deepEqual(trimmed.report, {
        step: 'trimTrailingWhitespace',
        tokensBefore: 41,
        tokensAfter: 38,
        items: [{ pieceId: 'c0', section: 'context', index: 0, source: 'src/a.ts:1-9', tokensBefore: 41, tokensAfter: 38, lines: 2 }],
      });
      const collapsed = collapseBlankRuns(trimmed.pieces, measure);
      assert.equal(collapsed.pieces[0].text, 'const a = 1;\n\nconst t = `x  \n\n\ny`;\n\n');
      assert.equal(collapsed.report.items[0].lines, 2);
      assert.deepEqual(collapsed.references, []);
    });

    it('keep indentation, CRLF line ends and Markdown hard breaks', function () {
      const text = 'Note:  \r\n    indented  \r\n\r\n\r\n\r\nend \r\n';
      const out = collapseBlankRuns(trimTrailingWhitespace([message(0, text, 0)], measure).pieces, measure).pieces[0].text;
      assert.equal(out, 'Note:  \r\n    indented  \r\n\r\nend\r\n');
    });

    it('change nothing (and report nothing) when nothing is saved', function () {
      const r = trimTrailingWhitespace([chunk(0, 'clean\ntext', 'a.ts:1-2')], measure);
      assert.equal(r.pieces[0].text, 'clean\ntext');
      assert.deepEqual(r.report.items, []);
    });
  });

  describe('mergeOverlapping', function () {
    it('absorbs a less relevant chunk inside a more relevant one of the same file', function () {
      const a = chunk(0, numbered(1, 20).join('\n'), 'src/a.ts:1-20');
      const b = chunk(1, numbered(5, 9).join('\n'), 'src/a.ts#5-9');
      const r = mergeOverlapping([a, b], measure);
      assert.deepEqual(
        r.pieces.map((p) => p.id),
        ['c0'],
      );
      assert.deepEqual(r.report.items, [
        {
          pieceId: 'c1',
          section: 'context',
          index: 1,
          source: 'src/a.ts#5-9',
          tokensBefore: b.text.length,
          tokensAfter: 0,
          lines: 5,
          into: 'c0',
          absorbed: true,
        },
      ]);
      assert.deepEqual(r.references, [{ from: 'c1', to: 'c0', text: b.text }]);
    });

    it("cuts the shared lines from the less relevant chunk's edge and rewrites Explain's header", function () {
      const explain = (from: number, to: number) => `src/a.ts (lines ${from}-${to}):\n\`\`\`typescript\n${numbered(from, to).join('\n')}\n\`\`\``;
      const a = chunk(0, explain(10, 20), 'src/a.ts:10-20');
      const b = chunk(1, explain(15, 30), 'src/a.ts:15-30');
      const r = mergeOverlapping([a, b], measure);
      assert.equal(r.pieces[1].text, explain(21, 30));
      assert.equal(r.report.items[0].lines, 6);
      assert.equal(r.references[0].text, numbered(15, 20).join('\n'));
    });

    it('marks the hole where a more relevant chunk sits inside a less relevant one, which keeps its own rank', function () {
      const inner = chunk(0, numbered(5, 8).join('\n'), 'src/a.ts:5-8', 0);
      const outer = chunk(1, numbered(1, 12).join('\n'), 'src/a.ts:1-12', 1);
      const r = mergeOverlapping([inner, outer], measure);
      assert.equal(r.pieces[1].text, [...numbered(1, 4), '  … lines 5-8 are in src/a.ts:5-8 above …', ...numbered(9, 12)].join('\n'));
      assert.equal(r.pieces[1].rank, 1);
    });

    it('merges by lines when chunks carry no range, and never when the same range holds other lines', function () {
      const a = chunk(0, numbered(1, 10).join('\n'), 'src/a.ts');
      const b = chunk(1, numbered(7, 14).join('\n'), 'src/a.ts');
      assert.equal(mergeOverlapping([a, b], measure).pieces[1].text, numbered(11, 14).join('\n'));
      const edited = chunk(1, numbered(5, 9, 'edited').join('\n'), 'src/a.ts:5-9');
      assert.deepEqual(mergeOverlapping([chunk(0, numbered(1, 20).join('\n'), 'src/a.ts:1-20'), edited], measure).report.items, []);
    });

    it('absorbs an exact duplicate whatever its source, and leaves other files alone', function () {
      const text = numbered(1, 3).join('\n');
      const r = mergeOverlapping(
        [chunk(0, text), chunk(1, text, 'selection'), chunk(2, numbered(1, 3).join('\n'), 'src/b.ts:1-3'), chunk(3, 'other')],
        measure,
      );
      assert.deepEqual(
        r.pieces.map((p) => p.id),
        ['c0', 'c3'],
      );
    });

    it('skips an excluded reference', function () {
      const a = chunk(0, numbered(1, 20).join('\n'), 'src/a.ts:1-20');
      const b = chunk(1, numbered(5, 9).join('\n'), 'src/a.ts:5-9');
      assert.equal(mergeOverlapping([a, b], measure, new Set(['c1>c0'])).pieces.length, 2);
    });
  });

  describe('dedupeRepeats', function () {
    const block = numbered(1, 8);
    it('keeps a block in the newest message and refers to it from older messages and chunks', function () {
      const old = message(0, ['Here is my code:', ...block, 'Why?'].join('\n'), 1);
      const newer = message(1, ['Again:', ...block].join('\n'), 0, 'assistant');
      const c = chunk(0, ['// header', ...block].join('\n'), 'src/a.ts:1-9');
      const r = dedupeRepeats([c, old, newer], measure);
      assert.equal(r.pieces[1].text, 'Here is my code:\n  [same 8 lines as in a later assistant message]\nWhy?');
      assert.equal(r.pieces[0].text, '// header\n  [same 8 lines as in an earlier assistant message]');
      assert.equal(r.pieces[2].text, newer.text);
      assert.deepEqual(
        r.references.map((x) => [x.from, x.to]),
        [
          ['h0', 'h1'],
          ['c0', 'h1'],
        ],
      );
      assert.equal(r.references[0].text, block.join('\n'));
    });

    it("refers to the user's message, and ignores blocks shorter than six lines", function () {
      const c = chunk(0, ['x', ...block].join('\n'), 'src/a.ts');
      const r = dedupeRepeats([c], measure, { userInput: block.join('\n') });
      assert.equal(r.pieces[0].text, "x\n  [same 8 lines as in the user's message below]");
      const short = dedupeRepeats([chunk(0, block.slice(0, 5).join('\n'), 'a.ts')], measure, { userInput: block.slice(0, 5).join('\n') });
      assert.deepEqual(short.report.items, []);
    });

    it('never lets a block span a fence line', function () {
      const fenced = message(1, ['```ts', ...block, '```'].join('\n'), 0);
      const c = chunk(0, ['```ts', ...block, '```'].join('\n'), 'notes.md');
      const r = dedupeRepeats([c, fenced], measure);
      assert.equal(r.pieces[0].text, '```ts\n  [same 8 lines as in an earlier user message]\n```');
    });
  });

  describe('elideMiddle', function () {
    const body = ['/** Adds. */', 'export function add(', '  a: number,', '  b: number,', '): number {', ...numbered(1, 40), '  return a + b;', '}'];
    it('keeps the head, the signature and the tail, with a counted marker naming the file lines', function () {
      const piece = chunk(0, body.join('\n'), 'src/m.ts:100-146');
      const r = elideMiddle([piece], measure, 3, 2);
      const expected = [
        '/** Adds. */',
        'export function add(',
        '  a: number,',
        '  b: number,',
        '): number {',
        '  … 40 lines elided (lines 105-144) …',
        '  return a + b;',
        '}',
      ];
      assert.equal(r.pieces[0].text, expected.join('\n'));
      assert.deepEqual(r.report.items[0], {
        pieceId: 'c0',
        section: 'context',
        index: 0,
        source: 'src/m.ts:100-146',
        tokensBefore: piece.text.length,
        tokensAfter: expected.join('\n').length,
        lines: 40,
      });
    });

    it('elides as little as needed to fit, and not at all below the minimum', function () {
      const piece = chunk(0, body.join('\n'));
      const budget = 700;
      const r = elideToFit(piece, (t) => t.length <= budget)!;
      assert.ok(r.text.length <= budget);
      assert.match(r.text, /\n {2}… \d+ lines elided …\n/, 'no line numbers when the range is unknown');
      const kept = r.text.split('\n').length - 1;
      assert.equal(kept + r.elided, body.length, 'every body line is kept or counted in the marker');
      // A smaller budget elides more: the search keeps as many lines as fit, no fewer.
      assert.ok(elideToFit(piece, (t) => t.length < r.text.length)!.elided > r.elided);
      assert.equal(
        elideToFit(piece, (t) => t.length <= 100),
        undefined,
      );
      assert.equal(
        elideToFit(chunk(0, numbered(1, 10).join('\n')), () => true),
        undefined,
        'a short chunk is not elided',
      );
    });
  });

  describe('dropComments', function () {
    it('drops comments outside strings and keeps directives and indentation', function () {
      const text = [
        '#!/usr/bin/env node',
        '// @ts-ignore',
        '/**',
        ' * Docs.',
        ' */',
        "const url = 'http://x'; // trailing",
        'const t = `// not a comment`;',
        '    /* inline */ call();',
        '',
        '',
        '// gone',
        'end();',
      ].join('\n');
      const r = withoutComments(chunk(0, text, 'src/a.ts:1-12'))!;
      assert.equal(
        r.text,
        ['#!/usr/bin/env node', '// @ts-ignore', "const url = 'http://x';", 'const t = `// not a comment`;', '    call();', '', 'end();'].join('\n'),
      );
      assert.equal(r.lines, 5);
    });

    it('drops Python and YAML comments, never a # in a string', function () {
      const py = withoutComments(chunk(0, 'x = "#1"  # note\n# whole line\ny = 2', 'a.py:1-3'))!;
      assert.equal(py.text, 'x = "#1"\ny = 2');
      const y = withoutComments(chunk(0, "a: '# no'  # yes\nb: |\n  # content\n", 'c.yml:1-3'))!;
      assert.equal(y.text, "a: '# no'\nb: |\n  # content\n");
    });

    it('leaves history and comment-free chunks alone, and never empties a chunk', function () {
      const r = dropComments([message(0, 'x = 1 # c', 0), chunk(0, 'x = 1', 'a.py:1-1'), chunk(1, '# only', 'b.py:1-1')], measure);
      assert.deepEqual(r.report.items, []);
    });
  });
});
