import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildModelTokenizer } from '../../../../../src/core/tokens/model';
import fc from 'fast-check';
import { LONG_RUN_WEIGHT, RankTable, RunClassifier, mergePiece } from '../../../../../src/core/tokens/model/longPieces';
import { allCorpora, chunksOf } from '../../../../support/vocab/corpus';
import { loadTestVocab } from '../../../../support/vocab/testVocabs';
import { VOCABS, exactTokenizer, referenceIds } from './bpeFixtures';

// Long single lines stay fast and exact: a real 1 MB minified line, and runs that the pre-tokenizer keeps as one
// huge piece (which tiktoken alone would merge in quadratic time).

const NODE_MODULES = path.resolve(__dirname, '../../../../../node_modules');

/** 1 MB of real minified JavaScript on one line (three minified bundles from node_modules, repeated). */
function minifiedLine(): string {
  const files = ['@azure/msal-browser/lib/msal-browser.min.js', 'markdown-it/dist/markdown-it.min.js', 'eslint/node_modules/ajv/dist/ajv.min.js'];
  let line = files.map((f) => readFileSync(path.join(NODE_MODULES, f), 'utf8').replace(/\n/g, ' ')).join(';');
  while (line.length < 1_000_000) line += `;${line}`;
  return line.slice(0, 1_000_000);
}

const RUNS: Record<string, (n: number) => string> = {
  letters: (n) => 'a'.repeat(n),
  cjk: (n) => '中文'.repeat(n / 2),
  emoji: (n) => '😀'.repeat(n / 2),
  spaces: (n) => ' '.repeat(n),
  punctuation: (n) => '='.repeat(n),
};

describe('long single lines (longPieces.ts)', function () {
  this.timeout(60_000);
  const line = minifiedLine();

  for (const name of VOCABS) {
    describe(name, () => {
      before(() => {
        exactTokenizer(name).count('warm up');
      });

      it('counts a 1 MB minified line without going quadratic, equal to the reference', () => {
        const tok = exactTokenizer(name);
        const t = performance.now();
        const n = tok.count(line);
        const ms = performance.now() - t;
        // The 1 s target is the benchmark's (scripts/bench/15: ~0.2 s); this bound only catches a quadratic
        // regression (minutes), never machine noise.
        assert.ok(ms < 10_000, `${ms.toFixed(0)} ms`);
        assert.equal(n, referenceIds(name, line).length);
      });

      for (const [kind, make] of Object.entries(RUNS)) {
        it(`counts a 10 K-unit run of ${kind} (one huge piece) like the reference`, () => {
          const run = make(10_000);
          assert.equal(exactTokenizer(name).count(run), referenceIds(name, run).length);
          assert.equal(exactTokenizer(name).count(`x ${run} y`), referenceIds(name, `x ${run} y`).length);
        });
      }

      it('merges every piece in JavaScript exactly as tiktoken does (slow path forced on all text)', () => {
        const fast = exactTokenizer(name);
        const slow = buildModelTokenizer(loadTestVocab(name).vocab, { longRunWeight: 1, longPieceWeight: 1 });
        try {
          for (const [kind, text] of Object.entries(allCorpora(20_000))) {
            for (const chunk of chunksOf(text, 4000)) {
              assert.deepEqual(slow.encode(chunk), fast.encode(chunk), kind);
            }
          }
        } finally {
          slow.dispose();
        }
      });
    });
  }

  it('stays near-linear on a 1 MB single-piece run (exact; tiktoken alone would take minutes)', () => {
    // The slowest kind, CJK (3 bytes a character): 0.19-0.25 s on the development machine for 1 M characters,
    // 0.11 s for 100 K (the benchmark times every kind). The bound leaves room for slow CI machines.
    const tok = exactTokenizer('qwen3');
    const time = (n: number) => {
      const run = RUNS.cjk(n);
      const t = performance.now();
      assert.ok(tok.count(run) > 0);
      return performance.now() - t;
    };
    const small = time(100_000);
    const big = time(1_000_000);
    assert.ok(big < 4000, `${big.toFixed(0)} ms`);
    assert.ok(big < small * 25, `10x the text took ${(big / small).toFixed(1)}x the time`);
  });

  it('finds long single-class runs without false alarms on ordinary text', () => {
    const c = RunClassifier.for('default');
    assert.equal(c.hasLongRun('a'.repeat(LONG_RUN_WEIGHT - 1)), false);
    assert.equal(c.hasLongRun('a'.repeat(LONG_RUN_WEIGHT)), true);
    // Non-ASCII weighs 2 (CJK), an astral character 4 (emoji).
    assert.equal(c.hasLongRun('中'.repeat(LONG_RUN_WEIGHT / 2)), true);
    assert.equal(c.hasLongRun('😀'.repeat(LONG_RUN_WEIGHT / 4)), true);
    assert.equal(c.hasLongRun('ab '.repeat(10_000)), false);
    assert.equal(c.hasLongRun(allCorpora().code), false);
    // Letters and combining marks are one class (deepseek-v3 keeps them in one piece).
    assert.equal(c.hasLongRun('e\u0301'.repeat(LONG_RUN_WEIGHT)), true);
    assert.equal(RunClassifier.for('letterPunct').hasLongRun(' $'.repeat(LONG_RUN_WEIGHT)), true);
  });

  it("merges exactly by tiktoken's rule for any rank order, and with bytes that are no token alone", () => {
    // The oracle is the rule itself, done the slow way: the whole piece if it is a token, else merge the adjacent
    // pair whose concatenation has the lowest rank, leftmost first, until none is a token. Random vocabularies over
    // a 4-letter alphabet give ranks in any order (a long token may outrank its parts) and 'z' is no token alone.
    const oracle = (piece: string, ranks: Map<string, number>): number[] | 'stuck' => {
      if (ranks.has(piece)) return [ranks.get(piece)!];
      const parts = [...piece];
      for (;;) {
        let best = -1;
        let bestRank = Infinity;
        for (let i = 0; i + 1 < parts.length; i++) {
          const r = ranks.get(parts[i] + parts[i + 1]);
          if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
        }
        if (best < 0) break;
        parts.splice(best, 2, parts[best] + parts[best + 1]);
      }
      return parts.every((p) => ranks.has(p)) ? parts.map((p) => ranks.get(p)!) : 'stuck';
    };
    const ours = (piece: string, table: RankTable): number[] | 'stuck' => {
      try {
        return mergePiece(Buffer.from(piece, 'latin1'), table);
      } catch {
        return 'stuck';
      }
    };
    const word = fc.stringMatching(/^[abcz]{2,4}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(word, { minLength: 1, maxLength: 60 }),
        fc.array(fc.stringMatching(/^[abcz]{1,300}$/), { minLength: 1, maxLength: 8 }),
        fc.integer(),
        (words, pieces, seed) => {
          const tokens = [...new Set(['a', 'b', 'c', ...words])];
          // A seeded shuffle of the ranks: any order, the same for the oracle and the table.
          let x = seed | 1;
          const order = tokens.map((t) => [t, (x = (x * 1103515245 + 12345) & 0x7fffffff)] as const).sort((p, q) => p[1] - q[1]);
          const ranks = new Map(order.map(([t], rank) => [t, rank]));
          const table = new RankTable([...ranks].map(([t, r]) => `${Buffer.from(t, 'latin1').toString('base64')} ${r}`).join('\n'));
          for (const piece of pieces) assert.deepEqual(ours(piece, table), oracle(piece, ranks), piece);
        },
      ),
      { numRuns: 300 },
    );
    // The chain random vocabularies rarely hit: merging "ab" (rank 10) makes "cab" (1) on its left, which makes
    // "caba" (2) and takes the 'a' of the second "ab" before rank 10 gets to it.
    const chain = new Map([
      ['a', 3],
      ['b', 4],
      ['c', 5],
      ['ab', 10],
      ['cab', 1],
      ['caba', 2],
    ]);
    const chainTable = new RankTable([...chain].map(([t, r]) => `${Buffer.from(t, 'latin1').toString('base64')} ${r}`).join('\n'));
    assert.deepEqual(ours('cabab', chainTable), [2, 4]);
    assert.deepEqual(oracle('cabab', chain), [2, 4]);
  });
});
