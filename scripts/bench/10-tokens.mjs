// The token engine against raw tiktoken, measured in the same run (see docs/performance.md, "Token engine"):
// wrapper overhead on uncached code and prose, optimizePrompt for 8k and 128k windows with 500 chunks,
// re-counting a 100k-token conversation after one new message, and 1 MB single-line inputs.
// Prints ratios; a missed target prints MISSED and never fails the run.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, now, time, verdict } from './lib/timing.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

/** Deterministic English-like prose: a linear congruential generator over words from the READMEs. */
function generateProse(words, chars) {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  const out = [];
  let length = 0;
  let sentence = 0;
  while (length < chars) {
    let w = words[next() % words.length];
    if (sentence === 0) w = w[0].toUpperCase() + w.slice(1);
    sentence++;
    const end = sentence > 6 && next() % 5 === 0;
    if (end) sentence = 0;
    const piece = w + (end ? (next() % 7 === 0 ? '.\n\n' : '. ') : next() % 11 === 0 ? ', ' : ' ');
    out.push(piece);
    length += piece.length;
  }
  return out.join('');
}

export async function run() {
  const core = require(path.join(root, 'dist/core.js'));
  const { get_encoding } = require('tiktoken');
  const loadStart = now();
  const enc = get_encoding('gpt2');
  const loadMs = now() - loadStart;
  const shared = () => ({ encode_ordinary: (t) => enc.encode_ordinary(t), decode: (t) => enc.decode(t), free: () => undefined });
  const counter = (max = 8192, options = {}) => new core.TokenCounter(max, 0.2, 0.3, 0.5, { loadEncoding: shared, env: {}, ...options });

  const lib = path.join(root, 'node_modules/typescript/lib');
  const codeFiles = readdirSync(lib)
    .filter((f) => f.endsWith('.d.ts'))
    .sort()
    .map((f) => readFileSync(path.join(lib, f), 'utf8'));
  const code = codeFiles.join('\n');
  const readmes = readdirSync(path.join(root, 'node_modules'))
    .map((d) => path.join(root, 'node_modules', d, 'README.md'))
    .filter(existsSync)
    .sort()
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n\n');
  const words = readmes.match(/[A-Za-z]{2,12}/g);
  const prose = readmes + '\n\n' + generateProse(words, 2_000_000);
  const mb = (s) => (s.length / 1e6).toFixed(1);
  console.log(
    `tiktoken gpt2 load: ${loadMs.toFixed(0)} ms; code corpus ${mb(code)} M chars (${codeFiles.length} TypeScript lib files), prose ${mb(prose)} M chars`,
  );

  // 1. Wrapper overhead on uncached text: a new counter (empty cache) per round, same WASM encoding.
  for (const [name, texts] of [
    ['code', codeFiles],
    [
      'prose',
      prose.split(/(?<=\n\n)(?=[A-Z])/).reduce((acc, p) => {
        const last = acc[acc.length - 1];
        if (last !== undefined && last.length < 20_000) acc[acc.length - 1] = last + p;
        else acc.push(p);
        return acc;
      }, []),
    ],
  ]) {
    const rawSamples = [];
    const wrapSamples = [];
    let tokens = 0;
    let sliced = 0;
    // Per text, raw and wrapped run back to back (alternating which goes first), so load from other
    // processes on the machine hits both sides alike.
    for (let round = 0; round < 5; round++) {
      const tc = counter();
      let rawMs = 0;
      let wrapMs = 0;
      let n = 0;
      let m = 0;
      texts.forEach((text, i) => {
        const rawFirst = (i + round) % 2 === 0;
        for (const side of rawFirst ? ['raw', 'wrap'] : ['wrap', 'raw']) {
          const t = now();
          if (side === 'raw') {
            n += enc.encode_ordinary(text).length;
            rawMs += now() - t;
          } else {
            m += tc.countTokens(text);
            wrapMs += now() - t;
          }
        }
      });
      rawSamples.push(rawMs);
      wrapSamples.push(wrapMs);
      tokens = n;
      sliced = m;
      tc.dispose();
    }
    const raw = median(rawSamples);
    const wrap = median(wrapSamples);
    const chars = texts.reduce((a, t) => a + t.length, 0);
    const ratio = wrap / raw;
    console.log(
      `countTokens vs raw encode_ordinary, uncached ${name}: ${wrap.toFixed(0)} ms vs ${raw.toFixed(0)} ms ` +
        `(${tokens} tokens, ${(chars / 1e6 / (raw / 1000)).toFixed(1)} M chars/s raw) = x${ratio.toFixed(3)} ${verdict(ratio <= 1.1, 'x1.10')}`,
    );
    // Long single-class runs (ASCII rules, badges, URLs) are sliced: a token may shift at each cut.
    console.log(
      `  counts: TokenCounter ${sliced} vs raw ${tokens} (${sliced === tokens ? 'identical' : `${sliced - tokens > 0 ? '+' : ''}${sliced - tokens}, ${(((sliced - tokens) / tokens) * 100).toFixed(4)}%, from sliced long runs`})`,
    );
  }
  {
    // A new string with the same content each time, as the panel sends on every keystroke.
    const file = codeFiles.find((f) => f.length > 100_000 && f.length < 300_000);
    const tc = counter();
    tc.countTokens(file);
    const cached = time(() => tc.countTokens(file.slice(0, -1) + file.slice(-1)), 20, 2);
    const raw = time(() => enc.encode_ordinary(file), 5, 1);
    console.log(
      `countTokens of a repeated ${(file.length / 1000).toFixed(0)} K-char text (cache hit on an equal new string): ${cached.toFixed(2)} ms vs raw ${raw.toFixed(1)} ms`,
    );
    tc.dispose();
  }

  // 2. optimizePrompt with 500 chunks, warm (chunk counts cached, as on the second turn of a conversation).
  for (const [label, max, chunkChars] of [
    ['8k', 8192, 1500],
    ['128k', 131072, 1500],
  ]) {
    const chunks = Array.from({ length: 500 }, (_, i) => ({
      text: code.slice(i * 3001, i * 3001 + chunkChars),
      relevance: (i * 7919) % 500,
      source: `chunk${i}`,
    }));
    const history = Array.from({ length: 40 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: prose.slice(i * 4000, i * 4000 + 2000) }));
    const tc = counter(max);
    const cold = time(
      () => tc.optimizePrompt('You are a careful coding assistant.', 'Explain how these declarations fit together.', chunks, { history }),
      1,
      0,
    );
    const warm = time(
      () => tc.optimizePrompt('You are a careful coding assistant.', 'Explain how these declarations fit together.', chunks, { history }),
      9,
      1,
    );
    // A new question over the same chunks and history: what every turn and every keystroke in the panel costs.
    let q = 0;
    const newQuestion = time(
      () => tc.optimizePrompt('You are a careful coding assistant.', `Question ${q++}: how do these declarations fit together?`, chunks, { history }),
      9,
      1,
    );
    const rawAll = time(
      () => {
        for (const c of chunks) enc.encode_ordinary(c.text);
      },
      3,
      0,
    );
    const plan = tc.optimizePrompt('You are a careful coding assistant.', 'Explain how these declarations fit together.', chunks, { history });
    const u = plan.tokenUsage;
    console.log(
      `optimizePrompt ${label} window, 500 chunks + 40 messages (requested ${u.requested} tokens, kept ${u.total}, ${plan.contextChunks.length} chunks): ` +
        `warm ${warm.toFixed(1)} ms, warm with a new question ${newQuestion.toFixed(1)} ms, cold ${cold.toFixed(1)} ms; ` +
        `raw tiktoken over the chunks ${rawAll.toFixed(1)} ms; warm/raw x${(Math.max(warm, newQuestion) / rawAll).toFixed(3)} ` +
        `${verdict(Math.max(warm, newQuestion) < 100, '< 100 ms warm')}`,
    );
    tc.dispose();
  }

  // 3. Re-count a 100k-token conversation after one appended message.
  {
    const tc = counter();
    const history = [];
    let total = 0;
    for (let i = 0; total < 100_000; i++) {
      const content = (i % 2 ? code : prose).slice(i * 2500, i * 2500 + 2500);
      history.push({ role: i % 2 ? 'assistant' : 'user', content });
      total += enc.encode_ordinary(content).length;
    }
    tc.countMessages(history);
    const full = time(
      () => {
        let n = 0;
        for (const m of history) n += enc.encode_ordinary(m.content).length;
        return n;
      },
      3,
      0,
    );
    let k = 0;
    const incremental = time(
      () => {
        history.push({ role: 'user', content: `One more question, number ${k++}: what does ${prose.slice(k * 97, k * 97 + 200)} mean?` });
        tc.countMessages(history);
      },
      15,
      1,
    );
    console.log(
      `re-count after one appended message, ${history.length} messages / ${total} tokens: ${incremental.toFixed(3)} ms vs full raw re-count ${full.toFixed(1)} ms ` +
        `(x${(full / incremental).toFixed(0)} faster) ${verdict(incremental < 1, '< 1 ms')}`,
    );
    tc.dispose();
  }

  // 4. 1 MB single lines. Raw tiktoken is quadratic on them: measured on 25 KB only (it panics near 1 MB).
  {
    const rawA = time(() => enc.encode_ordinary('a'.repeat(25_000)), 1, 0);
    console.log(
      `raw tiktoken on 25 KB of 'a': ${rawA.toFixed(0)} ms (quadratic: 1 MB would take ~${((rawA * 40 * 40) / 1000).toFixed(0)} s, if it did not crash)`,
    );
    const minified = code.slice(0, 1_000_000).replace(/\s+/g, ' ');
    const b64 = Buffer.from(code.slice(0, 750_000)).toString('base64').slice(0, 1_000_000);
    for (const [name, line] of [
      ['a', 'a'.repeat(1_000_000)],
      ['emoji', '😀'.repeat(500_000)],
      ['CJK', '中文'.repeat(500_000)],
      ['base64', b64],
      ['minified code', minified],
    ]) {
      const tc = counter();
      const t = now();
      const n = tc.countTokens(line);
      const ms = now() - t;
      const cut = time(() => counter().optimizePrompt('System.', line), 1, 0);
      console.log(
        `1 MB single line (${name}, ${line.length} UTF-16 units): count ${ms.toFixed(0)} ms (${n} tokens), optimize as user input ${cut.toFixed(0)} ms ${verdict(ms < 1000, '< 1 s')}`,
      );
      tc.dispose();
    }
  }
  enc.free();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
