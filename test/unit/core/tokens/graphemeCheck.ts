import assert from 'node:assert/strict';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** All grapheme boundaries of `text` (0 and text.length included). */
export function graphemeBoundaries(text: string): Set<number> {
  const set = new Set<number>([0, text.length]);
  for (const seg of segmenter.segment(text)) set.add(seg.index);
  return set;
}

const MARKER = /\n?\[\.\.\. \d+ tokens truncated \.\.\.\]\n?/;

/**
 * Asserts that `cut` is `original` itself, empty, or original's head (and, for a middle cut, its tail)
 * around one truncation marker, each part ending/starting on a grapheme boundary of the original.
 */
export function assertCleanCut(original: string, cut: string): void {
  if (cut === original || cut === '') return;
  const m = MARKER.exec(cut);
  assert.ok(m, `cut text has no marker: ${JSON.stringify(cut.slice(0, 80))}`);
  const head = cut.slice(0, m.index);
  const tail = cut.slice(m.index + m[0].length);
  const bounds = graphemeBoundaries(original);
  assert.ok(original.startsWith(head), 'the kept head is a prefix of the original');
  assert.ok(bounds.has(head.length), `head ends inside a grapheme at ${head.length}`);
  if (tail.length > 0) {
    assert.ok(original.endsWith(tail), 'the kept tail is a suffix of the original');
    assert.ok(bounds.has(original.length - tail.length), 'tail starts inside a grapheme');
  }
}
