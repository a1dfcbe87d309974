import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { NdjsonLineSplitter, parseChunkLine } from '../../../../src/core/ollama/ndjson';
import { OllamaStreamError } from '../../../../src/core/ollama/errors';

const enc = new TextEncoder();

function splitAll(parts: Uint8Array[]): string[] {
  const s = new NdjsonLineSplitter();
  return [...parts.flatMap((p) => s.push(p)), ...s.end()];
}

describe('NdjsonLineSplitter', () => {
  const body = '{"message":{"content":"naïve 東京 🎉"},"done":false}\n{"done":true,"eval_count":3}\n';
  const bytes = enc.encode(body);

  it('yields the same lines whichever byte the reads are split at, including inside UTF-8 characters', () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      const lines = splitAll([bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.deepEqual(lines, ['{"message":{"content":"naïve 東京 🎉"},"done":false}', '{"done":true,"eval_count":3}'], `cut at ${cut}`);
    }
  });

  it('decodes a stream delivered one byte at a time', () => {
    const lines = splitAll([...bytes].map((b) => Uint8Array.of(b)));
    assert.equal(parseChunkLine(lines[0]).message?.content, 'naïve 東京 🎉');
    assert.equal(lines.length, 2);
  });

  it('returns a last line without a trailing newline (non-streaming bodies) and drops blank lines and CRs', () => {
    assert.deepEqual(splitAll([enc.encode('\r\n{"a":1}\r\n\n{"b":2}')]), ['{"a":1}', '{"b":2}']);
  });

  it('joins a very long line split over many reads', () => {
    const context = Array.from({ length: 200_000 }, (_, i) => i % 50000);
    const line = JSON.stringify({ done: true, context });
    const data = enc.encode(`${line}\n`);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < data.length; i += 1000) parts.push(data.subarray(i, i + 1000));
    const lines = splitAll(parts);
    assert.equal(lines.length, 1);
    assert.equal((parseChunkLine(lines[0]) as { context: number[] }).context.length, 200_000);
  });

  it('rejects an unparseable line or a non-object line instead of skipping it', () => {
    assert.throws(
      () => parseChunkLine('{"done":tru'),
      (e: unknown) => e instanceof OllamaStreamError && e.kind === 'unparseable' && /unparseable line/.test(e.message),
    );
    assert.throws(
      () => parseChunkLine('[1,2]'),
      (e: unknown) => e instanceof OllamaStreamError && /not a JSON object/.test(e.message),
    );
  });
});

describe('NdjsonLineSplitter (property)', () => {
  it('recovers every object whatever the text and wherever the reads are cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ content: fc.string({ unit: 'grapheme' }), done: fc.boolean() }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (objects, cuts) => {
          const data = enc.encode(objects.map((o) => `${JSON.stringify({ message: { content: o.content }, done: o.done })}\n`).join(''));
          const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
          const parts: Uint8Array[] = [];
          let last = 0;
          for (const p of points) {
            parts.push(data.subarray(last, p));
            last = p;
          }
          parts.push(data.subarray(last));
          const parsed = splitAll(parts).map(parseChunkLine);
          assert.deepEqual(
            parsed.map((c) => [c.message?.content, c.done]),
            objects.map((o) => [o.content, o.done]),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
