// The workspace index at scale (see docs/retrieval.md, "Performance"): a generated 5,000-file / 50 MB tree
// of real code from node_modules (repeated with renamed declarations), indexed in a worker thread, against
// a plain read of the same files; main-thread event-loop lag meanwhile; warm reopen; query latency over
// 50,000 chunks (lexical, vector, hybrid) against MiniSearch on the same chunks; vector memory.
// Prints MISSED instead of failing.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const out = path.join(root, '.test-output');
const FILES = 5000;
const BYTES = 50 * 1_000_000;
const QUERY_CHUNKS = 50_000;

/** Bundles the retrieval core and its worker (the core's index file is in flux). */
async function bundle() {
  mkdirSync(out, { recursive: true });
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', absWorkingDir: root };
  const main = path.join(out, 'bench-retrieval.cjs');
  const worker = path.join(out, 'bench-retrieval-worker.cjs');
  await esbuild.build({
    ...common,
    stdin: {
      contents: "export * from './src/core/context/retrieval';\nexport { EstimateTokenizer } from './src/core/tokens/estimateTokenizer';\n",
      resolveDir: root,
      loader: 'ts',
    },
    outfile: main,
  });
  await esbuild.build({ ...common, entryPoints: ['src/core/context/retrieval/indexWorker.ts'], outfile: worker });
  return { lib: require(main), workerScript: worker };
}

const ms = (ns) => ns / 1e6;
const mb = (b) => (b / 1_048_576).toFixed(1); // MiB
function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
}
function median(values) {
  return pct(values, 0.5);
}
function verdict(ok, target) {
  return ok ? `ok (target ${target})` : `MISSED (target ${target})`;
}

function walk(dir, acc = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, acc);
    else acc.push(p);
  }
  return acc;
}

/** Real sources from node_modules: code files of 2-60 KB that are not minified or generated. */
function candidates() {
  const found = [];
  for (const file of walk(path.join(root, 'node_modules')).sort()) {
    if (!/\.(m?js|cjs|ts|tsx|py|go|rs|java|rb|php|sh|md)$/.test(file) || /\.d\.ts$|\.min\./.test(file)) continue;
    const size = statSync(file).size;
    if (size < 2000 || size > 60_000) continue;
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n').length;
    if (text.length / lines > 160 || /@generated|DO NOT EDIT/.test(text.slice(0, 500)) || text.includes('\0')) continue;
    found.push({
      rel: path
        .relative(path.join(root, 'node_modules'), file)
        .split(path.sep)
        .join('/')
        .replace(/\/node_modules\//g, '/nm/'),
      text,
    });
  }
  return found;
}

/** 5,000 files summing to 50 MB: each slot takes the candidate closest to the size still needed per slot. */
function generateTree(dir) {
  const pool = candidates();
  const files = [];
  let written = 0;
  let cursor = 0;
  for (let slot = 0; slot < FILES; slot++) {
    const want = (BYTES - written) / (FILES - slot);
    let best = cursor;
    for (let k = 0; k < 24; k++) {
      const i = (cursor + k) % pool.length;
      if (Math.abs(pool[i].text.length - want) < Math.abs(pool[best % pool.length].text.length - want)) best = i;
    }
    const round = Math.floor(slot / pool.length);
    const source = pool[best % pool.length];
    cursor = (best % pool.length) + 1;
    // Later rounds rename every declaration, so copies are different code, not duplicates.
    const text =
      round === 0
        ? source.text
        : source.text.replace(
            /\b(function|class|const|let|var|def|func|interface|type)(\s+)([A-Za-z_]\w*)/g,
            (_m, kw, sp, name) => `${kw}${sp}${name}R${round}`,
          );
    const rel = `copy${slot % 7}/${source.rel}`.replace(/(\.\w+)$/, `.${slot}$1`);
    const abs = path.join(dir, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    files.push({ path: rel, fsPath: abs });
    written += Buffer.byteLength(text);
  }
  return { files, bytes: written };
}

/** Questions from the tree: comment lines of 4+ words, and identifiers the way people type them. */
function queriesOf(files, count = 200) {
  const out = [];
  for (let i = 0; out.length < count && i < files.length; i += 37) {
    const text = readFileSync(files[i].fsPath, 'utf8');
    const comment = text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => /^(\/\/|#|\*)\s*\w+(\s+\w+){3,}/.test(l) && l.length < 160);
    if (comment) out.push(comment.replace(/^(\/\/+|#+|\*+)\s*/, ''));
    const identifier = text.match(/\b[a-z]+[A-Z][a-zA-Z]{3,}\b/);
    if (identifier && out.length < count) out.push(`where is ${identifier[0]} used`);
  }
  return out;
}

/** A fast stand-in for /api/embed at scale: dense pseudo-random unit vectors from a pool (plumbing only). */
async function fakeEmbedServer(dims) {
  const pool = [];
  for (let p = 0; p < 4096; p++) {
    let x = p * 2654435761 + 1;
    const v = [];
    let n = 0;
    for (let i = 0; i < dims; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const c = (x >>> 0) / 2 ** 32 - 0.5;
      v.push(c);
      n += c * c;
    }
    pool.push(`[${v.map((c) => (c / Math.sqrt(n)).toFixed(5)).join(',')}]`);
  }
  const server = createServer((req, res) => {
    const parts = [];
    req.on('data', (p) => parts.push(p));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url === '/api/show')
        return res.end(JSON.stringify({ model_info: { 'general.architecture': 'bench', 'bench.context_length': 2048, 'bench.embedding_length': dims } }));
      const { input } = JSON.parse(Buffer.concat(parts).toString('utf8'));
      const vectors = (Array.isArray(input) ? input : [input]).map((t) => pool[createHash('sha1').update(t).digest().readUInt32LE(0) % pool.length]);
      res.end(`{"model":"bench","embeddings":[${vectors.join(',')}]}`);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    vectorFor: (t) => JSON.parse(pool[createHash('sha1').update(t).digest().readUInt32LE(0) % pool.length]),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  };
}

export async function run() {
  const { lib, workerScript } = await bundle();
  const grammarDir = path.dirname(require.resolve('@vscode/tree-sitter-wasm'));
  const work = path.join(os.tmpdir(), `therapist-bench-retrieval-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  const treeDir = path.join(work, 'tree');
  const storageDir = path.join(work, 'storage');
  try {
    const tree = generateTree(treeDir);
    console.log(
      `tree: ${tree.files.length} files, ${(tree.bytes / 1e6).toFixed(1)} MB (${mb(tree.bytes)} MiB) of real code from node_modules (renamed copies past the first round)`,
    );

    // Baseline: a plain read of every file (page cache warm after the first pass).
    const reads = [];
    for (let r = 0; r < 3; r++) {
      const t = performance.now();
      for (const f of tree.files) readFileSync(f.fsPath);
      reads.push(performance.now() - t);
    }
    const readMs = median(reads);

    // 1. Cold build in the worker, with the main thread's event loop watched.
    const options = { grammarDir, storageDir, root: treeDir, embedding: { model: '' } };
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
    // Sampled every 1 ms: an idle loop reads about 1 ms, so the lag is the reading minus 1 ms.
    const lag = monitorEventLoopDelay({ resolution: 1 });
    const started = performance.now();
    const index = new lib.WorkerIndex({ options, workerScript, autoEmbed: false });
    await index.open();
    lag.enable();
    const report = await index.sync(tree.files);
    lag.disable();
    const buildMs = performance.now() - started;
    clearInterval(sampler);
    const stats = await index.stats();
    console.log(
      `build (worker, structure-aware chunks + BM25): ${(buildMs / 1000).toFixed(2)} s for ${report.files} files -> ${stats.chunks} chunks, ${stats.terms} terms, ${stats.postings} postings; plain read ${readMs.toFixed(0)} ms (x${(buildMs / readMs).toFixed(1)}) ${verdict(buildMs < 15_000, '< 15 s')}`,
    );
    console.log(
      `  languages: ${Object.entries(stats.languages)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; skipped ${report.skipped}`,
    );
    console.log(
      `  peak memory: process RSS +${mb(rssPeak - rssBefore)} MiB over the ${mb(rssBefore)} MiB before; worker heap ${mb(stats.memory.heapUsedBytes)} MiB + array buffers ${mb(stats.memory.arrayBufferBytes)} MiB after`,
    );
    const lagOf = (ns) => Math.max(0, ms(ns) - 1);
    console.log(
      `  main-thread event-loop lag while the worker indexed: p50 ${lagOf(lag.percentile(50)).toFixed(2)} ms, p99 ${lagOf(lag.percentile(99)).toFixed(2)} ms, max ${lagOf(lag.max).toFixed(1)} ms (${lag.count} samples) ${verdict(lagOf(lag.percentile(99)) < 50, 'p99 < 50 ms')}`,
    );

    // 2. Queries through the worker (what the host pays: one message each way), lexical only.
    const queries = queriesOf(tree.files);
    const roundTrips = [];
    const inWorker = [];
    for (let r = 0; r < 2; r++) {
      for (const q of queries) {
        const t = performance.now();
        const res = await index.search(q, { limit: 20 });
        roundTrips.push(performance.now() - t);
        inWorker.push(res.timings.totalMs);
      }
    }
    console.log(
      `lexical query over ${stats.chunks} chunks through the worker (${queries.length} questions x2): round trip p50 ${median(roundTrips).toFixed(2)} ms, p95 ${pct(roundTrips, 0.95).toFixed(2)} ms; in the worker p50 ${median(inWorker).toFixed(2)} ms, p95 ${pct(inWorker, 0.95).toFixed(2)} ms`,
    );

    // 3. Save, then a warm reopen: searchable at open, verified (every file stat'ed) at sync.
    const closeStarted = performance.now();
    await index.close();
    const closeMs = performance.now() - closeStarted;
    const diskBytes = readdirSync(storageDir).reduce((a, f) => a + statSync(path.join(storageDir, f)).size, 0);
    const reopenStarted = performance.now();
    const warm = new lib.WorkerIndex({ options, workerScript, autoEmbed: false });
    const opened = await warm.open();
    const openMs = performance.now() - reopenStarted;
    const first = await warm.search(queries[0], { limit: 5 });
    const firstMs = performance.now() - reopenStarted;
    const resync = await warm.sync(tree.files);
    const verifiedMs = performance.now() - reopenStarted;
    await warm.close();
    console.log(
      `save on close ${closeMs.toFixed(0)} ms, ${mb(diskBytes)} MiB on disk; warm reopen: searchable in ${openMs.toFixed(0)} ms (${opened.chunks} chunks, first answer at ${firstMs.toFixed(0)} ms, ${first.results.length} results), every file verified unchanged at ${verifiedMs.toFixed(0)} ms (${resync.unchanged} unchanged) ${verdict(openMs < 1000, '< 1 s')}`,
    );

    // 4. 50,000 chunks with vectors, in one thread to time the search itself.
    const fake = await fakeEmbedServer(768);
    const tokenizer = new lib.EstimateTokenizer();
    const countTokens = (t) => tokenizer.count(t);
    const big = new lib.WorkspaceIndex(
      { grammarDir, root: treeDir, limits: { maxChunks: QUERY_CHUNKS }, embedding: { ollamaUrl: fake.url, model: 'bench', batchSize: 64 } },
      { countTokens, autoEmbed: false },
    );
    await big.sync(tree.files);
    const embedStarted = performance.now();
    await big.embed();
    const embedMs = performance.now() - embedStarted;
    const bigStats = await big.stats();
    console.log(
      `query index: ${bigStats.chunks} chunks (maxChunks ${QUERY_CHUNKS}), ${bigStats.embedded} vectors of ${bigStats.dimensions} dims embedded in ${(embedMs / 1000).toFixed(1)} s through /api/embed (a fast stand-in server: plumbing, not Ollama's speed)`,
    );
    console.log(
      `  vector memory: ${mb(bigStats.vectorBytes)} MiB for ${bigStats.embedded} vectors (int8 + sign bits + scale) ${verdict(bigStats.vectorBytes < 100e6, '< 100 MB')}`,
    );
    const vectors = queries.map((q) => fake.vectorFor(`search_query: ${q}`));
    const lexical = [];
    const vectorStage = [];
    const hybrid = [];
    for (let r = 0; r < 2; r++) {
      for (let i = 0; i < queries.length; i++) {
        lexical.push((await big.search(queries[i], { limit: 20, semantic: false })).timings.totalMs);
        const h = await big.search(queries[i], { limit: 20, queryVector: vectors[i] });
        vectorStage.push(h.timings.vectorMs);
        hybrid.push(h.timings.totalMs);
      }
    }
    const hybridP95 = pct(hybrid, 0.95);
    console.log(`  lexical search p50 ${median(lexical).toFixed(2)} ms, p95 ${pct(lexical, 0.95).toFixed(2)} ms`);
    console.log(
      `  vector stage (Hamming over all, sign scores of 4,000, int8 cosines of 1,000) p50 ${median(vectorStage).toFixed(2)} ms, p95 ${pct(vectorStage, 0.95).toFixed(2)} ms`,
    );
    console.log(
      `  hybrid (lexical + vector + fusion + results, query vector given) p50 ${median(hybrid).toFixed(2)} ms, p95 ${hybridP95.toFixed(2)} ms ${verdict(hybridP95 < 20, 'p95 < 20 ms')}`,
    );
    await big.close();
    await fake.close();

    // 5. MiniSearch on the same 50,000 chunks, same tokenizer: the library this index replaced, measured now.
    const MiniSearch = require('minisearch');
    const chunker = new lib.Chunker(new lib.GrammarSet(grammarDir), countTokens);
    const docs = [];
    for (const f of tree.files) {
      if (docs.length >= QUERY_CHUNKS) break;
      for (const c of (await chunker.chunkFile(f.path, readFileSync(f.fsPath, 'utf8'))).chunks) docs.push({ id: docs.length, text: c.text });
    }
    docs.length = Math.min(docs.length, QUERY_CHUNKS);
    const miniStarted = performance.now();
    const mini = new MiniSearch({ fields: ['text'], tokenize: (t) => lib.codeTerms(t), processTerm: (t) => t });
    mini.addAll(docs);
    const miniBuildMs = performance.now() - miniStarted;
    const ours = new lib.LexicalIndex();
    const oursStarted = performance.now();
    docs.forEach((d) => ours.add(d.id, lib.codeTerms(d.text)));
    const oursBuildMs = performance.now() - oursStarted;
    const miniQ = [];
    const oursQ = [];
    for (const q of queries) {
      let t = performance.now();
      mini.search(lib.queryTerms(q).join(' '), { combineWith: 'OR' }).slice(0, 20);
      miniQ.push(performance.now() - t);
      t = performance.now();
      ours.search(lib.queryTerms(q), 20);
      oursQ.push(performance.now() - t);
    }
    console.log(
      `MiniSearch 7.2 on the same ${docs.length} chunks: build ${(miniBuildMs / 1000).toFixed(1)} s vs ours ${(oursBuildMs / 1000).toFixed(1)} s (x${(miniBuildMs / oursBuildMs).toFixed(1)}); OR query p50 ${median(miniQ).toFixed(2)} ms / p95 ${pct(miniQ, 0.95).toFixed(2)} ms vs ours p50 ${median(oursQ).toFixed(2)} ms / p95 ${pct(oursQ, 0.95).toFixed(2)} ms (x${(pct(miniQ, 0.95) / pct(oursQ, 0.95)).toFixed(0)} at p95)`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
