import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import ts from 'typescript';
import type { Parser } from '@vscode/tree-sitter-wasm';
import { GrammarSet } from '../../../../../src/core/context/syntax/grammars';
import { LANGUAGES } from '../../../../../src/core/context/syntax/languages';
import { collapseBlankRuns, trimTrailingWhitespace } from '../../../../../src/core/context/compression/whitespace';
import type { Piece } from '../../../../../src/core/context/compression/types';

// The lossless steps must never change what code means. Checked on real files (fixtures/README.md), with
// trailing whitespace and blank lines added at random places (inside strings and block scalars too), cut into
// random windows as retrieval and Explain send them, against parsers that are not ours: TypeScript's own
// parser for string and template literals, tree-sitter for Python strings, js-yaml for the YAML data.

// js-yaml ships no types (it is here as a dependency of eslint); only loadAll is used.
const yaml = createRequire(__filename)('js-yaml') as { loadAll(text: string): unknown[] };

const FIXTURES = path.join(__dirname, 'fixtures');
const files = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.txt'))
  .map((f) => ({ name: f.replace(/\.txt$/, ''), text: readFileSync(path.join(FIXTURES, f), 'utf8') }));
const kind = (name: string) => (name.endsWith('.ts') ? 'ts' : name.endsWith('.py') ? 'py' : 'yaml');

// Length as the measure accepts every change that shortens a text, so the steps change as much as they ever would.
const measure = (t: string) => t.length;

/** Every literal's source text, in order (TypeScript). */
function tsLiterals(text: string): string[] {
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node) ||
      ts.isRegularExpressionLiteral(node)
    ) {
      out.push(node.getText(sf));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

let python: Parser;
const grammars = new GrammarSet();

/** Every string's source text, in order (Python, by tree-sitter). */
function pyLiterals(text: string): string[] {
  const tree = python.parse(text)!;
  const out: string[] = [];
  const walk = (node: NonNullable<typeof tree>['rootNode']) => {
    if (node.type === 'string') {
      out.push(node.text);
      return;
    }
    for (const child of node.children) if (child) walk(child);
  };
  walk(tree.rootNode);
  tree.delete();
  return out;
}

/** What the text means, as far as the steps could change it. */
function meaning(name: string, text: string): unknown {
  const k = kind(name);
  if (k === 'ts') return tsLiterals(text);
  if (k === 'py') return pyLiterals(text);
  return yaml.loadAll(text);
}

/** Non-blank lines without their trailing whitespace: equal lists mean no line's indentation or code changed. */
const codeLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => l.replace(/[ \t]+$/, ''));

// Mutations: after line i, add trailing whitespace to it, or insert whitespace-only lines. YAML gets spaces only
// (a tab in YAML indentation is an error, and the test needs the mutated file to parse).
const mutations = (yamlFile: boolean) =>
  fc.array(
    fc.record({
      at: fc.nat(),
      trail: fc.constantFrom('', ' ', '  ', yamlFile ? '   ' : '\t', yamlFile ? '    ' : ' \t'),
      blanks: fc.array(fc.constantFrom('', ' ', yamlFile ? '  ' : '\t'), { maxLength: 3 }),
    }),
    { maxLength: 25 },
  );

function mutate(text: string, muts: readonly { at: number; trail: string; blanks: string[] }[]): string {
  const lines = text.split('\n');
  for (const m of muts) {
    const i = m.at % lines.length;
    lines[i] = lines[i] + m.trail;
    lines.splice(i + 1, 0, ...m.blanks);
  }
  return lines.join('\n');
}

function compress(piece: Piece): string {
  const trimmed = trimTrailingWhitespace([piece], measure).pieces[0];
  return collapseBlankRuns([trimmed], measure).pieces[0].text;
}

describe('lossless compression keeps meaning on real files (property-based)', function () {
  this.timeout(60_000);
  before(async () => {
    const loaded = await grammars.parserFor(LANGUAGES.find((l) => l.id === 'python')!);
    if (!('parse' in loaded)) throw loaded;
    python = loaded;
  });
  after(() => grammars.dispose());

  it('has fixtures of each kind', function () {
    assert.deepEqual(new Set(files.map((f) => kind(f.name))), new Set(['ts', 'py', 'yaml']));
  });

  for (const file of files) {
    it(`a window of ${file.name} keeps its literals, indentation and code`, function () {
      const yamlFile = kind(file.name) === 'yaml';
      let changed = 0;
      fc.assert(
        fc.property(mutations(yamlFile), fc.nat(), fc.nat(), fc.boolean(), (muts, x, y, whole) => {
          const original = mutate(file.text, muts);
          let expected: unknown;
          try {
            expected = meaning(file.name, original);
          } catch {
            fc.pre(false);
          }
          const lines = original.split('\n');
          const a = whole ? 0 : x % lines.length;
          const b = whole ? lines.length : a + 1 + (y % (lines.length - a));
          const piece: Piece = { id: 'c0', section: 'context', index: 0, rank: 0, text: lines.slice(a, b).join('\n'), source: `${file.name}:${a + 1}-${b}` };
          const rebuilt = [...lines.slice(0, a), ...compress(piece).split('\n'), ...lines.slice(b)].join('\n');
          assert.deepEqual(codeLines(rebuilt), codeLines(original));
          assert.deepEqual(meaning(file.name, rebuilt), expected);
          if (rebuilt !== original) changed++;
        }),
        { numRuns: 60 },
      );
      assert.ok(changed > 0, 'the steps changed some of the texts (the check is not vacuous)');
    });
  }

  it('a whole file pasted in a chat message keeps its meaning inside the fence', function () {
    fc.assert(
      fc.property(fc.constantFrom(...files), fc.nat(), (file, seed) => {
        const muts = Array.from({ length: 10 }, (_, k) => ({ at: seed * (k + 7), trail: '  ', blanks: k % 2 ? ['', ''] : [] }));
        const original = mutate(file.text, muts);
        let expected: unknown;
        try {
          expected = meaning(file.name, original);
        } catch {
          fc.pre(false);
        }
        const lang = kind(file.name) === 'py' ? 'python' : kind(file.name);
        const message = `Why does this fail?  \n\n\n\`\`\`${lang}\n${original}\n\`\`\`\n\n\nThanks.`;
        const piece: Piece = { id: 'h0', section: 'history', index: 0, rank: 0, text: message, role: 'user' };
        const out = compress(piece).split('\n');
        const open = out.findIndex((l) => l.startsWith('```'));
        const close = out.lastIndexOf('```');
        const inner = out.slice(open + 1, close).join('\n');
        assert.equal(out[0], 'Why does this fail?  ', 'a Markdown hard break is kept');
        assert.deepEqual(codeLines(inner), codeLines(original));
        assert.deepEqual(meaning(file.name, inner), expected);
      }),
      { numRuns: 40 },
    );
  });
});
