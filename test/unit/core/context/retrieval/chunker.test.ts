import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { Chunker, DEFAULT_CHUNKER_OPTIONS, type ChunkedFile, type ChunkerOptions } from '../../../../../src/core/context/retrieval/chunker';
import type { Chunk } from '../../../../../src/core/context/retrieval/types';
import { GrammarSet } from '../../../../../src/core/context/syntax/grammars';
import { FIXTURES, countTokens, nodeModule } from './retrievalTestKit';

const grammars = new GrammarSet();
const chunker = (options: Partial<ChunkerOptions> = {}) => new Chunker(grammars, countTokens, { ...DEFAULT_CHUNKER_OPTIONS, ...options });

async function chunkReal(file: string, display = path.basename(file), options: Partial<ChunkerOptions> = {}): Promise<{ result: ChunkedFile; text: string }> {
  const text = readFileSync(file, 'utf8');
  const result = await chunker(options).chunkFile(display, text);
  assertInvariants(result, text, options.maxChunkTokens ?? DEFAULT_CHUNKER_OPTIONS.maxChunkTokens);
  return { result, text };
}

/** Every chunk is exact source text, in order, under the cap; in syntax mode every non-blank line is in one. */
function assertInvariants(result: ChunkedFile, text: string, cap: number): void {
  const lines = text.split('\n');
  let previousStart = 0;
  const covered = new Set<number>();
  for (const c of result.chunks) {
    assert.ok(c.tokens <= cap, `${c.file}#${c.startLine}-${c.endLine} has ${c.tokens} tokens, cap ${cap}`);
    assert.equal(c.tokens, countTokens(c.text), 'the stored count is the count of the text');
    assert.ok(c.startLine >= 1 && c.startLine <= c.endLine && c.endLine <= lines.length);
    assert.ok(c.startLine >= previousStart, 'chunks come in file order');
    previousStart = c.startLine;
    assert.notEqual(c.text.trim(), '', 'no blank chunk');
    const source = lines.slice(c.startLine - 1, c.endLine).join('\n');
    assert.equal(c.text, c.columns ? source.slice(c.columns.start, c.columns.end) : source);
    for (let l = c.startLine; l <= c.endLine; l++) covered.add(l);
  }
  if (result.mode === 'syntax' || result.mode === 'lines') {
    lines.forEach((line, i) => assert.ok(line.trim() === '' || covered.has(i + 1), `line ${i + 1} is in no chunk: ${line.slice(0, 60)}`));
  }
}

/** The chunk holding a symbol, and the 1-based line where `pattern` first matches in the source. */
function chunkOf(chunks: Chunk[], symbol: string, text: string, pattern: RegExp): { chunk: Chunk; line: number } {
  const line = text.split('\n').findIndex((l) => pattern.test(l)) + 1;
  assert.ok(line > 0, `pattern ${pattern} is in the file`);
  const chunk = chunks.find((c) => c.symbols.includes(symbol) && c.startLine <= line && line <= c.endLine);
  assert.ok(chunk, `a chunk holds ${symbol} at line ${line}; symbols: ${[...new Set(chunks.flatMap((c) => c.symbols))].slice(0, 40).join(', ')}`);
  return { chunk, line };
}

describe('chunker: structure-aware chunks of real files', () => {
  after(() => grammars.dispose());

  it('JavaScript (undici lib/core/util.js): one chunk per function, with its signature', async () => {
    const { result, text } = await chunkReal(nodeModule('undici/lib/core/util.js'), 'lib/core/util.js');
    assert.equal(result.mode, 'syntax');
    const { chunk } = chunkOf(result.chunks, 'parseURL', text, /^function parseURL \(url\)/);
    assert.equal(chunk.kind, 'function');
    assert.equal(chunk.signature, 'function parseURL (url)');
    assert.equal(chunk.language, 'javascript');
    assert.deepEqual(chunk.enclosing, []);
    chunkOf(result.chunks, 'parseOrigin', text, /^function parseOrigin \(url\)/);
  });

  it('TypeScript (minisearch src): methods inside a big class, with the class as enclosing name', async () => {
    const { result, text } = await chunkReal(nodeModule('minisearch/src/SearchableMap/SearchableMap.ts'), 'src/SearchableMap.ts');
    const { chunk } = chunkOf(result.chunks, 'SearchableMap.fuzzyGet', text, /^ {2}fuzzyGet \(/);
    assert.equal(chunk.kind, 'method');
    assert.deepEqual(chunk.enclosing, ['SearchableMap']);
    assert.match(chunk.signature ?? '', /^fuzzyGet \(key: string, maxEditDistance: number\)/);
  });

  it('TypeScript declarations (lib.es2015.promise.d.ts): an interface over the cap is split into parts', async () => {
    const { result, text } = await chunkReal(nodeModule('typescript/lib/lib.es2015.promise.d.ts'));
    const parts = result.chunks.filter((c) => c.symbols.includes('PromiseConstructor'));
    assert.ok(parts.length >= 2, `${parts.length} parts`);
    parts.forEach((p, i) => {
      assert.equal(p.kind, 'type');
      assert.deepEqual(p.part, { index: i + 1, count: parts.length });
      assert.equal(p.signature, 'interface PromiseConstructor');
      if (i > 0) assert.equal(p.startLine, parts[i - 1].endLine + 1, 'parts are consecutive');
    });
    const declared = text.split('\n').findIndex((l) => l.startsWith('interface PromiseConstructor')) + 1;
    assert.ok(parts[0].startLine <= declared);
  });

  it('Python (the installed standard library textwrap.py, else flatted.py from node_modules)', async () => {
    const stdlib = (existsSync('/usr/lib') ? readdirSync('/usr/lib') : [])
      .filter((d) => /^python3\.\d+$/.test(d))
      .map((d) => `/usr/lib/${d}/textwrap.py`)
      .find(existsSync);
    const file = stdlib ?? nodeModule('flatted/python/flatted.py');
    const { result, text } = await chunkReal(file, path.basename(file));
    assert.equal(result.mode, 'syntax');
    if (stdlib) {
      const { chunk } = chunkOf(result.chunks, 'TextWrapper._split', text, /^ {4}def _split\(self, text\):/);
      assert.equal(chunk.kind, 'method');
      assert.deepEqual(chunk.enclosing, ['TextWrapper']);
      chunkOf(result.chunks, 'dedent', text, /^def dedent\(text\):/);
    } else {
      chunkOf(result.chunks, 'parse', text, /^def parse\(value/);
    }
  });

  it('Python (flatted.py): a small class stays whole and names its methods', async () => {
    const { result, text } = await chunkReal(nodeModule('flatted/python/flatted.py'), 'flatted.py');
    const { chunk } = chunkOf(result.chunks, '_Known', text, /^class _Known:/);
    assert.ok(chunk.symbols.includes('_Known.__init__'));
    const parse = chunkOf(result.chunks, 'parse', text, /^def parse\(value, \*args, \*\*kwargs\):/).chunk;
    assert.equal(parse.signature, 'def parse(value, *args, **kwargs):');
  });

  it('Go (flatted.go): a long function is split into consecutive parts under the cap, doc comment included', async () => {
    const { result, text } = await chunkReal(nodeModule('flatted/golang/pkg/flatted/flatted.go'), 'flatted.go');
    const parts = result.chunks.filter((c) => c.symbols.includes('Stringify'));
    assert.ok(parts.length >= 2);
    const docLine = text.split('\n').findIndex((l) => l.startsWith('// Stringify converts')) + 1;
    assert.equal(parts[0].startLine, docLine, 'the doc comment starts the first part');
    assert.ok(parts.every((p) => p.signature === 'func Stringify(value, replacer, space any) (string, error)'));
    chunkOf(result.chunks, 'FromJSON', text, /^func FromJSON\(/);
  });

  it('PHP (flatted.php): static methods of a class', async () => {
    const { result, text } = await chunkReal(nodeModule('flatted/php/flatted.php'), 'flatted.php');
    const { chunk } = chunkOf(result.chunks, 'Flatted.stringify', text, /public static function stringify\(/);
    assert.equal(chunk.kind, 'method');
  });

  it('Bash: functions of a script, and a script of plain commands as blocks', async () => {
    const { result, text } = await chunkReal(path.join(FIXTURES, 'deploy.sh'));
    assert.equal(chunkOf(result.chunks, 'build_archive', text, /^build_archive\(\) \{/).chunk.kind, 'function');
    const plain = await chunkReal(nodeModule('playwright-core/bin/reinstall_chrome_stable_linux.sh'));
    assert.equal(plain.result.mode, 'syntax');
    assert.ok(plain.result.chunks.every((c) => c.kind === 'block'));
  });

  const fixtures: [file: string, symbol: string, pattern: RegExp, kind: Chunk['kind'], enclosing: string[]][] = [
    ['ring_buffer.rs', 'RingBuffer.pop_front', /pub fn pop_front\(/, 'method', ['RingBuffer']],
    ['RateLimiter.java', 'RateLimiter.tryAcquire', /public synchronized Decision tryAcquire\(\)/, 'method', ['RateLimiter']],
    ['lru_cache.c', 'lru_get', /^int lru_get\(/, 'function', []],
    ['interval_tree.hpp', 'geometry.IntervalTree.insertAt', /std::unique_ptr<Node> insertAt\(/, 'method', ['geometry', 'IntervalTree']],
    [
      'RetryPolicy.cs',
      'Contoso.Http.Resilience.RetryPolicy.ExecuteAsync',
      /public async Task<T> ExecuteAsync<T>/,
      'method',
      ['Contoso.Http.Resilience', 'RetryPolicy'],
    ],
    ['inventory.rb', 'Warehouse.Inventory.pick', /def pick\(sku, units\)/, 'method', ['Warehouse', 'Inventory']],
  ];
  for (const [file, symbol, pattern, kind, enclosing] of fixtures) {
    it(`${path.extname(file).slice(1)} (${file}): ${symbol} is its own ${kind} chunk when the container is over the cap`, async () => {
      // A cap smaller than the class, so the class is opened up into its members.
      const { result, text } = await chunkReal(path.join(FIXTURES, file), file, { maxChunkTokens: 200, minChunkTokens: 0 });
      assert.equal(result.mode, 'syntax');
      const { chunk } = chunkOf(result.chunks, symbol, text, pattern);
      assert.equal(chunk.kind, kind);
      assert.deepEqual(chunk.enclosing, enclosing);
      assert.deepEqual(chunk.symbols, [symbol]);
    });
  }

  it('Rust: a small impl block stays one chunk naming its methods', async () => {
    const { result, text } = await chunkReal(path.join(FIXTURES, 'ring_buffer.rs'));
    const { chunk } = chunkOf(result.chunks, 'RingBuffer', text, /^impl<T> Drain<T> for RingBuffer<T>/);
    assert.ok(chunk.symbols.includes('RingBuffer.drain_all'));
  });

  it('merges neighbouring tiny chunks, but never over the cap', async () => {
    const getters = Array.from({ length: 40 }, (_, i) => `export function get${i}() {\n  return ${i};\n}\n`).join('\n');
    const result = await chunker({ minChunkTokens: 48 }).chunkFile('getters.ts', getters);
    assertInvariants(result, getters, DEFAULT_CHUNKER_OPTIONS.maxChunkTokens);
    assert.ok(result.chunks.length < 40 / 2, `${result.chunks.length} chunks for 40 tiny functions`);
    // Merged three by three (each alone is under 48 tokens, three are not); only a last one may stay alone.
    assert.ok(result.chunks.filter((c) => c.symbols.length === 1).length <= 1);
  });

  it('languages without a grammar get line windows that overlap', async () => {
    const file = nodeModule('undici/README.md');
    const text = readFileSync(file, 'utf8');
    const result = await chunker({ windowLines: 20, overlapLines: 4 }).chunkFile('README.md', text);
    assert.equal(result.mode, 'lines');
    assertInvariants(result, text, DEFAULT_CHUNKER_OPTIONS.maxChunkTokens);
    assert.ok(result.chunks.every((c) => c.kind === 'window' && c.endLine - c.startLine < 20));
    const overlapping = result.chunks.slice(1).filter((c, i) => c.startLine <= result.chunks[i].endLine);
    assert.ok(overlapping.length > result.chunks.length / 3, `${overlapping.length} of ${result.chunks.length} windows overlap the previous one`);
    assert.ok(
      result.chunks.slice(1).every((c, i) => c.startLine > result.chunks[i].startLine),
      'every window moves forward',
    );
  });

  it('a 1 MB minified single line becomes character windows, quickly, losing nothing', async () => {
    const code = readFileSync(nodeModule('undici/lib/core/util.js'), 'utf8').replace(/\s+/g, ' ');
    const line = code.repeat(Math.ceil(1_048_576 / code.length)).slice(0, 1_048_576);
    const started = performance.now();
    const result = await chunker().chunkFile('dist/bundle.js', line);
    const ms = performance.now() - started;
    assert.equal(result.mode, 'characters');
    assert.ok(ms < 2000, `${ms.toFixed(0)} ms`);
    assertInvariants(result, line, DEFAULT_CHUNKER_OPTIONS.maxChunkTokens);
    assert.ok(result.chunks.every((c) => c.startLine === 1 && c.endLine === 1 && c.columns));
    assert.equal(result.chunks.map((c) => c.text).join(''), line);
    // Windows are filled, not crumbs: on average well over half the cap.
    const mean = result.chunks.reduce((a, c) => a + c.tokens, 0) / result.chunks.length;
    assert.ok(mean > DEFAULT_CHUNKER_OPTIONS.maxChunkTokens * 0.6, `mean ${mean.toFixed(0)} tokens`);
  });

  it('a character window never splits a surrogate pair', async () => {
    const line = '😀'.repeat(20_000);
    const result = await chunker({ maxChunkTokens: 64 }).chunkFile('emoji.txt', line);
    assertInvariants(result, line, 64);
    for (const c of result.chunks) assert.ok(!/^[\udc00-\udfff]|[\ud800-\udbff]$/.test(c.text));
  });

  it('a parse over its time limit falls back to line windows', async () => {
    const file = nodeModule('typescript/lib/lib.dom.d.ts');
    const text = readFileSync(file, 'utf8');
    const result = await chunker({ parseTimeoutMs: 1 }).chunkFile('lib.dom.d.ts', text);
    assert.equal(result.mode, 'lines');
    assert.deepEqual(result.fallback, { reason: 'parse-timeout' });
    assert.ok(result.chunks.length > 100);
  });

  it('a grammar that cannot load falls back to line windows and says why', async () => {
    const broken = new GrammarSet(path.join(FIXTURES, 'no-such-grammar-folder'));
    const text = readFileSync(path.join(FIXTURES, 'RateLimiter.java'), 'utf8');
    const result = await new Chunker(broken, countTokens).chunkFile('RateLimiter.java', text);
    assert.equal(result.mode, 'lines');
    assert.equal(result.fallback?.reason, 'grammar');
    assert.equal(result.fallback?.error?.code, 'grammar-load');
    assert.match(result.fallback?.error?.message ?? '', /java grammar could not be loaded/);
    assert.ok(existsSync(path.join(FIXTURES, 'RateLimiter.java')));
  });

  it('any text, with or without a grammar: exact text, under the cap, every line covered', async () => {
    const line = fc.oneof(
      fc.constantFrom('function f(a) {', '}', '  return a + 1;', 'class K {', '  m() { return 2 }', '', '// note', 'const x = () => {', '});'),
      fc.string({ maxLength: 120 }).map((s) => s.replace(/\n/g, ' ')),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 80 }),
        fc.constantFrom('a.ts', 'a.txt', 'a.py'),
        fc.integer({ min: 16, max: 120 }),
        async (lines, name, cap) => {
          const text = lines.join('\n');
          const result = await chunker({ maxChunkTokens: cap, minChunkTokens: Math.floor(cap / 4), windowLines: 10, overlapLines: 2 }).chunkFile(name, text);
          assertInvariants(result, text, cap);
        },
      ),
      { numRuns: 60 },
    );
  });
});
