// Which tiktoken vocabulary should the fallback count in (when the served model's own tokenizer cannot be read)?
// For GPT-2, cl100k and o200k, in the same run: how well a per-class linear fit on that vocabulary's counts predicts
// the real Llama 3, Qwen3, DeepSeek V3 and Gemma 3 counts over mixed content (the best the fallback could do), and
// how much one ratio varies across README prose and code. Decided cl100k (src/modelIntegration.ts FALLBACK_ENCODING).
// Prints numbers, never fails.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Weighted least squares in relative terms: min sum ((y - x.t) / y)^2. */
function fit(rows, ys) {
  const n = rows[0].length;
  const a = Array.from({ length: n }, () => new Array(n).fill(0));
  const b = new Array(n).fill(0);
  rows.forEach((x, i) => {
    const w = 1 / ys[i] ** 2;
    for (let j = 0; j < n; j++) {
      b[j] += w * x[j] * ys[i];
      for (let k = 0; k < n; k++) a[j][k] += w * x[j] * x[k];
    }
  });
  for (let j = 0; j < n; j++) a[j][j] += a[j][j] === 0 ? 1 : 1e-12;
  for (let c = 0; c < n; c++)
    for (let r = c + 1; r < n; r++) {
      const m = a[r][c] / a[c][c];
      for (let k = c; k < n; k++) a[r][k] -= m * a[c][k];
      b[r] -= m * b[c];
    }
  const t = new Array(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < n; k++) s -= a[r][k] * t[k];
    t[r] = s / a[r][r];
  }
  return t;
}

const pct = (x) => `${(100 * x).toFixed(1)}%`;

export async function run() {
  require('tsx/cjs');
  const { TokenCounter } = require('../../src/tokenCounter.ts');
  const { CONTENT_CLASSES } = require('../../src/core/tokens/contentClasses.ts');
  const kit = require('../../test/support/whatTheModelSees.ts');
  const { loadTestVocab } = require('../../test/support/vocab/testVocabs.ts');
  const { loadGemmaTestVocab } = require('../../test/support/vocab/spmFromTokenizerJson.ts');
  const tiktoken = require('tiktoken');
  const models = {
    'Llama 3': (t) => loadTestVocab('llama3').reference.encode(t, { add_special_tokens: false }).length,
    Qwen3: (t) => loadTestVocab('qwen3').reference.encode(t, { add_special_tokens: false }).length,
    'DeepSeek V3': (t) => loadTestVocab('deepseek_v3').reference.encode(t, { add_special_tokens: false }).length,
    'Gemma 3': (t) => loadGemmaTestVocab('ollama').reference.encode(t).length,
  };
  const r = kit.seeded(17);
  const mixed = Array.from({ length: 120 }, () =>
    [0, 1, 2].map(() => kit.sample(kit.CONTENT_KINDS[Math.floor(r() * 6)], 500 + Math.floor(r() * 3000), r)).join('\n'),
  );
  const byKind = Object.fromEntries(['prose', 'code'].map((k) => [k, Array.from({ length: 30 }, () => kit.sample(k, 2000 + Math.floor(r() * 10000), r))]));
  const truths = Object.fromEntries(
    Object.entries(models).map(([m, f]) => [m, { mixed: mixed.map(f), ...Object.fromEntries(Object.entries(byKind).map(([k, ts]) => [k, ts.map(f)])) }]),
  );
  console.log('per-class fit over 120 mixed texts: median / p90 relative error; one ratio across 30 texts: spread (sd)');
  for (const encoding of ['gpt2', 'cl100k_base', 'o200k_base']) {
    const counter = new TokenCounter(undefined, undefined, undefined, undefined, { loadEncoding: () => tiktoken.get_encoding(encoding) });
    const rows = mixed.map((t) => {
      const c = counter.countClasses(t);
      return CONTENT_CLASSES.map((k) => c[k]);
    });
    const cells = [];
    for (const [m, truth] of Object.entries(truths)) {
      const t = fit(rows, truth.mixed);
      const errs = rows.map((x, i) => Math.abs(x.reduce((s, v, j) => s + v * t[j], 0) / truth.mixed[i] - 1)).sort((a, b) => a - b);
      const spread = (k) => {
        const ratios = byKind[k].map((text, i) => truth[k][i] / counter.countTokens(text));
        const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
        return Math.sqrt(ratios.reduce((a, b) => a + (b / mean - 1) ** 2, 0) / ratios.length);
      };
      cells.push(`${m} ${pct(errs[60])}/${pct(errs[108])} prose ±${pct(spread('prose'))} code ±${pct(spread('code'))}`);
    }
    console.log(`  ${encoding.padEnd(12)} ${cells.join(' | ')}`);
    counter.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
