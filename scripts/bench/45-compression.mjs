// Compression before cutting (see docs/compression.md, "Measured"): tokens each step saves on real code, in GPT-2
// tokens and as a share of the corpus: ~400 files of undici, marked, TypeScript's lib files, Python's
// dist-packages (when the machine has them) and this project's src. Whole files (start known) and 60-line
// windows (start unknown, as retrieval sends them); overlap (a retrieval window and an open editor's chunk of
// the same file) and repeats (a block pasted in a message and sent again as a chunk); then the optimizer's
// time with compression on against off on the same prompt, measured in the same run. Never fails on timing.
//   node esbuild.config.mjs && node scripts/bench/45-compression.mjs
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleEntry } from './lib/bundleEntry.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const MAX_FILES = 400;

/** Bundles the compression steps with the token counter (the steps are not part of dist/core.js's surface). */
async function bundle() {
  return bundleEntry('compression', ["export * from './src/core/context/compression';", "export { TokenCounter } from './src/tokenCounter';"]);
}

function walk(dir, acc = []) {
  if (!existsSync(dir)) return acc;
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, acc);
    else acc.push(p);
  }
  return acc;
}

/** The corpus: per group, files of 1-200 KB, in name order, at most MAX_FILES in all. */
function corpus() {
  const nm = path.join(root, 'node_modules');
  const size = (f) => statSync(f).size;
  const groups = [
    ['undici', walk(path.join(nm, 'undici/lib')).filter((f) => f.endsWith('.js')), 96],
    ['marked', walk(path.join(nm, 'marked')).filter((f) => /\.(m?js)$/.test(f)), 10],
    ['typescript lib', walk(path.join(nm, 'typescript/lib')).filter((f) => /lib\..*\.d\.ts$/.test(f)), 99],
    ['python dist-packages', walk('/usr/lib/python3/dist-packages').filter((f) => f.endsWith('.py') && !f.includes('__pycache__')), 100],
    ['therapist src', walk(path.join(root, 'src')).filter((f) => f.endsWith('.ts')), MAX_FILES],
  ];
  const files = [];
  for (const [group, list, limit] of groups) {
    const picked = list.filter((f) => size(f) >= 1000 && size(f) <= 200_000).slice(0, Math.min(limit, MAX_FILES - files.length));
    for (const f of picked)
      files.push({
        group,
        rel: path
          .relative(f.startsWith(root) ? root : '/', f)
          .split(path.sep)
          .join('/'),
        text: readFileSync(f, 'utf8'),
      });
  }
  return files;
}

const pct = (n, d) => (d === 0 ? '0.0%' : `${((100 * n) / d).toFixed(1)}%`);
const num = (n) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A deterministic sequence of integers (the same windows every run). */
function lcg(seed) {
  let s = seed;
  return (n) => (s = (s * 1103515245 + 12345) % 2147483648) % n;
}

export async function run() {
  const lib = await bundle();
  const { get_encoding } = require('tiktoken');
  const enc = get_encoding('gpt2');
  const borrowed = () => ({ encode_ordinary: (t) => enc.encode_ordinary(t), decode: (t) => enc.decode(t), free: () => undefined });
  const counter = () => new lib.TokenCounter(8192, 0.2, 0.3, 0.5, { loadEncoding: borrowed, env: {} });
  const tc = counter();
  const measure = (t) => tc.countTokens(t);

  const files = corpus();
  const byGroup = new Map();
  for (const f of files) byGroup.set(f.group, (byGroup.get(f.group) ?? 0) + 1);
  const whole = files.map((f, i) => ({ id: `c${i}`, section: 'context', index: i, rank: i, text: f.text, source: `${f.rel}:1-${f.text.split('\n').length}` }));
  const total = whole.reduce((a, p) => a + measure(p.text), 0);
  console.log(`corpus: ${files.length} files (${[...byGroup].map(([g, n]) => `${g} ${n}`).join(', ')}), ${num(total)} GPT-2 tokens`);
  if (!byGroup.has('python dist-packages')) console.log('  (no /usr/lib/python3/dist-packages on this machine: Python is not in the corpus)');

  const saved = (result) => result.report.tokensBefore - result.report.tokensAfter;
  const rows = [];
  const step = (name, pieces, base, fn) => {
    const t = now();
    const r = fn(pieces);
    rows.push([name, saved(r), base, now() - t, r.report.items.length]);
    return r;
  };

  // 1. Each step alone on whole files (each file one chunk, from its line 1).
  const trimmed = step('trimTrailingWhitespace (whole files)', whole, total, (p) => lib.trimTrailingWhitespace(p, measure));
  step('collapseBlankRuns (whole files, after trim)', trimmed.pieces, total, (p) => lib.collapseBlankRuns(p, measure));
  step('dropComments (whole files)', whole, total, (p) => lib.dropComments(p, measure));
  step(`elideMiddle (whole files, keep ${lib.DEFAULT_HEAD_LINES}+${lib.DEFAULT_TAIL_LINES} lines)`, whole, total, (p) => lib.elideMiddle(p, measure));

  // 2. 60-line windows at their real line numbers: a window whose start state is unknown is left alone.
  const windows = [];
  files.forEach((f, i) => {
    const lines = f.text.split('\n');
    for (let a = 0; a < lines.length; a += 60) {
      windows.push({
        id: `w${windows.length}`,
        section: 'context',
        index: windows.length,
        rank: windows.length,
        text: lines.slice(a, a + 60).join('\n'),
        source: `${f.rel}:${a + 1}-${Math.min(lines.length, a + 60)}`,
      });
    }
    void i;
  });
  const windowTotal = windows.reduce((a, p) => a + measure(p.text), 0);
  const wt = step('trimTrailingWhitespace (60-line windows)', windows, windowTotal, (p) => lib.trimTrailingWhitespace(p, measure));
  step('collapseBlankRuns (60-line windows, after trim)', wt.pieces, windowTotal, (p) => lib.collapseBlankRuns(p, measure));
  step('dropComments (60-line windows)', windows, windowTotal, (p) => lib.dropComments(p, measure));

  // 3. Overlap: a 40-line retrieval window (relevance 0.8) and the open editor's 120-line chunk around it (0.3).
  const rnd = lcg(42);
  const overlap = [];
  const repeats = [];
  files.forEach((f) => {
    const lines = f.text.split('\n');
    if (lines.length < 160) return;
    const a = 60 + rnd(lines.length - 160);
    const k = overlap.length;
    overlap.push(
      { id: `c${k}`, section: 'context', index: k, rank: k, text: lines.slice(a, a + 40).join('\n'), source: `${f.rel}#${a + 1}-${a + 40}` },
      { id: `c${k + 1}`, section: 'context', index: k + 1, rank: k + 1, text: lines.slice(a - 40, a + 80).join('\n'), source: `${f.rel}:${a - 39}-${a + 80}` },
    );
    // 4. Repeats: the user pasted 30 lines in an earlier message; retrieval sends a 60-line chunk holding them.
    const r = repeats.length;
    const b = 20 + rnd(lines.length - 80);
    repeats.push(
      { id: `h${r}`, section: 'history', index: r, rank: r, role: 'user', text: `Why does this fail?\n\`\`\`\n${lines.slice(b, b + 30).join('\n')}\n\`\`\`` },
      { id: `c${r + 1}`, section: 'context', index: r + 1, rank: r + 1, text: lines.slice(b - 10, b + 50).join('\n'), source: `${f.rel}#${b - 9}-${b + 50}` },
    );
  });
  // Pairs are compared on their own (no chunk sees another file's pair), as in one prompt each.
  const pairTotal = (ps) => ps.reduce((a, p) => a + measure(p.text), 0);
  const perPair = (ps, fn) => {
    let before = 0;
    let after = 0;
    let items = 0;
    const t = now();
    for (let i = 0; i < ps.length; i += 2) {
      const r = fn(ps.slice(i, i + 2));
      before += r.report.tokensBefore;
      after += r.report.tokensAfter;
      items += r.report.items.length;
    }
    return { saved: before - after, ms: now() - t, items };
  };
  const ov = perPair(overlap, (p) => lib.mergeOverlapping(p, measure));
  rows.push([`mergeOverlapping (${overlap.length / 2} retrieval window + editor chunk pairs)`, ov.saved, pairTotal(overlap), ov.ms, ov.items]);
  const rp = perPair(repeats, (p) => lib.dedupeRepeats(p, measure));
  rows.push([`dedupeRepeats (${repeats.length / 2} pasted block + chunk pairs)`, rp.saved, pairTotal(repeats), rp.ms, rp.items]);

  console.log('\n| step | GPT-2 tokens saved | of | share | texts changed | ms |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, s, base, ms, items] of rows) console.log(`| ${name} | ${num(s)} | ${num(base)} | ${pct(s, base)} | ${items} | ${ms.toFixed(0)} |`);

  // 5. The optimizer on one over-full prompt: 24 retrieval windows (relevance 0.8 down), the open editors'
  //    120-line chunks around 12 of them (0.95 down: the code around the cursors), and 4 messages that pasted code
  //    a chunk sends again. Compression off against on, with an empty count cache and warm.
  const prompt = { chunks: [], history: [] };
  for (let i = 0; i < Math.min(24, overlap.length / 2); i++) {
    prompt.chunks.push({ text: overlap[2 * i].text, source: overlap[2 * i].source, relevance: 0.8 - i * 0.01 });
    if (i % 2 === 0) prompt.chunks.push({ text: overlap[2 * i + 1].text, source: overlap[2 * i + 1].source, relevance: 0.95 - i * 0.01 });
  }
  for (let i = 0; i < 4 && 2 * i + 1 < repeats.length; i++) {
    prompt.history.push({ role: 'user', content: repeats[2 * i].text }, { role: 'assistant', content: 'Look at the error handling first.' });
    prompt.chunks.push({ text: repeats[2 * i + 1].text, source: repeats[2 * i + 1].source, relevance: 0.85 - i * 0.01 });
  }
  const plan = (c, compress) =>
    c.optimizePrompt('You are a careful senior engineer.', 'Where is the connection pool reset?', prompt.chunks, { history: prompt.history, compress });
  const cold = (compress) =>
    median(
      Array.from({ length: 5 }, () => {
        const c = counter();
        const t = now();
        plan(c, compress);
        return now() - t;
      }),
    );
  const warm = (compress) => {
    const c = counter();
    plan(c, compress);
    return median(
      Array.from({ length: 15 }, () => {
        const t = now();
        plan(c, compress);
        return now() - t;
      }),
    );
  };
  const off = plan(counter(), false);
  const on = plan(counter(), true);
  const [coldOff, coldOn, warmOff, warmOn] = [cold(false), cold(true), warm(false), warm(true)];
  const chunkTokens = prompt.chunks.reduce((a, c) => a + measure(c.text), 0);
  console.log(`\noptimizer, 8k window, ${prompt.chunks.length} chunks (${num(chunkTokens)} tokens) and ${prompt.history.length} messages:`);
  const describe = (p) => {
    const dropped = p.droppedChunks.filter((d) => d.status === 'dropped').length;
    const cut = p.droppedChunks.filter((d) => d.status === 'cut').length;
    // A chunk merged into a sent one is not dropped: its lines reached the model.
    return `lines of ${prompt.chunks.length - dropped}/${prompt.chunks.length} chunks sent (${p.contextChunks.length} chunk texts, ${cut} cut), ${p.droppedMessages} messages dropped, context ${num(p.tokenUsage.context)} + history ${num(p.tokenUsage.history)} tokens`;
  };
  console.log(`  off: ${describe(off)}`);
  console.log(`  on:  ${describe(on)}`);
  console.log(
    `       saved ${num(on.compression?.savedTokens ?? 0)} tokens: ${(on.compression?.steps ?? []).map((s) => `${s.step} ${num(s.savedTokens)}`).join(', ')}`,
  );
  console.log(`  time cold (empty count cache): off ${coldOff.toFixed(1)} ms, on ${coldOn.toFixed(1)} ms (x${(coldOn / coldOff).toFixed(2)})`);
  console.log(`  time warm (same prompt again): off ${warmOff.toFixed(2)} ms, on ${warmOn.toFixed(2)} ms (x${(warmOn / warmOff).toFixed(2)})`);
  enc.free();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
