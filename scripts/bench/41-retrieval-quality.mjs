// Retrieval quality on code nobody here wrote (see docs/retrieval.md, "Quality"): the sources of undici
// (lib/, JavaScript) and MiniSearch (src/, TypeScript) from node_modules. Each doc comment that documents a
// function becomes a question; the doc comments are blanked out of the indexed text (line numbers kept) so
// a question cannot find itself; the answer is the chunk holding the function's declaration line.
// recall@5 and recall@10 for lexical (BM25), vector and hybrid (RRF). The vectors come from the Ollama
// simulator (random projections of words): they test the plumbing, NOT semantic quality.
// Prints MISSED instead of failing.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleEntry } from './lib/bundleEntry.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Bundles the retrieval core, the estimate tokenizer and the simulator (the core's index file is in flux). */
async function bundle() {
  // The simulator's vocabulary models resolve their JSON files at run time.
  return bundleEntry(
    'retrieval-quality',
    [
      "export * from './src/core/context/retrieval';",
      "export { EstimateTokenizer } from './src/core/tokens/estimateTokenizer';",
      "export { OllamaSimulator } from './test/support/ollamaSimulator';",
    ],
    { external: ['@lenml/*'] },
  );
}

function walk(dir, filter, acc = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, filter, acc);
    else if (filter(e.name)) acc.push(p);
  }
  return acc.sort();
}

// A doc comment (its body holds no `*/`), then on the next line the declaration it documents.
const DOC_THEN_DECLARATION =
  /\/\*\*((?:[^*]|\*(?!\/))*)\*\/[ \t]*\n(\s*)((?:export\s+(?:default\s+)?)?(?:(?:public|private|protected|static|async|abstract|readonly|override)\s+)*(?:function\s*\*?\s*([A-Za-z_$][\w$]*)|(?:get\s+|set\s+|\*\s*)?(#?[A-Za-z_$][\w$]*)\s*(?:<[^>\n]*>)?\s*\(|(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?(?:function|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)))/g;
const NOT_NAMES = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'constructor', 'super', 'function']);

/** Questions from doc comments: the description (tags and types dropped), and where the answer is. */
function questionsOf(relative, text) {
  const questions = [];
  for (const m of text.matchAll(DOC_THEN_DECLARATION)) {
    const name = m[4] ?? m[5] ?? m[6];
    if (!name || NOT_NAMES.has(name)) continue;
    const description = m[1]
      .split('\n')
      .map((l) => l.replace(/^\s*\*\s?/, ''))
      .filter((l) => !/^\s*@/.test(l))
      .join(' ')
      .replace(/\{@link\s+([^}]+)\}/g, '$1')
      .replace(/```[\s\S]*?```/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (description.split(' ').length < 4) continue;
    const declarationOffset = m.index + m[0].length - m[3].length;
    const line = text.slice(0, declarationOffset).split('\n').length;
    questions.push({ file: relative, name, line, query: description.slice(0, 400) });
  }
  return questions;
}

/** The text with every doc comment replaced by as many newlines: same line numbers, no answers inside. */
function stripDocComments(text) {
  return text.replace(/\/\*\*[\s\S]*?\*\//g, (c) => '\n'.repeat(c.split('\n').length - 1));
}

function recallAt(ranks, k) {
  return ranks.filter((r) => r !== undefined && r <= k).length / ranks.length;
}

function verdict(ok, target) {
  return ok ? `ok (target ${target})` : `MISSED (target ${target})`;
}

export async function run() {
  const lib = await bundle();
  const tokenizer = new lib.EstimateTokenizer();
  const countTokens = (t) => tokenizer.count(t);
  const sim = new lib.OllamaSimulator();
  await sim.start();
  const codebases = [
    { name: 'undici lib/ (JavaScript)', dir: path.join(root, 'node_modules/undici/lib'), filter: (n) => n.endsWith('.js') },
    { name: 'minisearch src/ (TypeScript)', dir: path.join(root, 'node_modules/minisearch/src'), filter: (n) => n.endsWith('.ts') && !n.endsWith('.d.ts') },
  ];
  // The default fusion (DEFAULT_FUSION) is 'hybrid'; the sweep shows what other vector weights would give.
  const SWEEP = [1, 0.5, 0.35, 0.25, 0.2, 0.15, 0.1, 0.05];
  const sweepName = (w) => `hybrid (vector weight ${w})`;
  const kinds = ['lexical', 'vector', 'hybrid', ...SWEEP.map(sweepName)];
  const all = Object.fromEntries(kinds.map((k) => [k, []]));
  try {
    for (const codebase of codebases) {
      const files = [];
      const questions = [];
      for (const abs of walk(codebase.dir, codebase.filter)) {
        const relative = path.relative(codebase.dir, abs).split(path.sep).join('/');
        const text = readFileSync(abs, 'utf8');
        questions.push(...questionsOf(relative, text));
        files.push({ path: relative, text: stripDocComments(text) });
      }
      const storageDir = path.join(os.tmpdir(), `bench-quality-${process.pid}-${codebase.name.length}`);
      rmSync(storageDir, { recursive: true, force: true });
      const embedding = { ollamaUrl: sim.url, model: 'nomic-embed-text', batchSize: 32 };
      const hybridIndex = new lib.WorkspaceIndex({ storageDir, embedding }, { countTokens, autoEmbed: false });
      const started = performance.now();
      await hybridIndex.sync(files);
      const lexicalMs = performance.now() - started;
      const embedStarted = performance.now();
      await hybridIndex.embed();
      const embedMs = performance.now() - embedStarted;
      await hybridIndex.persist();
      // The same saved index, ranked by vectors only (lexical weight 0), and hybrid with lighter vectors.
      const reopen = async (fusion) => {
        const index = new lib.WorkspaceIndex({ storageDir, embedding, fusion }, { countTokens, autoEmbed: false });
        await index.open();
        return index;
      };
      const vectorIndex = await reopen({ lexical: 0 });
      const lighter = {};
      for (const w of SWEEP) lighter[w] = await reopen({ vector: w });
      const stats = await hybridIndex.stats();
      const ranks = Object.fromEntries(kinds.map((k) => [k, []]));
      for (const q of questions) {
        const rankIn = (response) => {
          const i = response.results.findIndex((r) => r.chunk.file === q.file && r.chunk.startLine <= q.line && q.line <= r.chunk.endLine);
          return i < 0 ? undefined : i + 1;
        };
        ranks.lexical.push(rankIn(await hybridIndex.search(q.query, { limit: 10, semantic: false })));
        ranks.vector.push(rankIn(await vectorIndex.search(q.query, { limit: 10 })));
        ranks.hybrid.push(rankIn(await hybridIndex.search(q.query, { limit: 10 })));
        for (const [w, index] of Object.entries(lighter)) ranks[sweepName(w)].push(rankIn(await index.search(q.query, { limit: 10 })));
      }
      for (const index of Object.values(lighter)) await index.close();
      await vectorIndex.close();
      await hybridIndex.close();
      rmSync(storageDir, { recursive: true, force: true });
      console.log(
        `${codebase.name}: ${files.length} files, ${stats.chunks} chunks, ${questions.length} doc-comment questions; indexed in ${lexicalMs.toFixed(0)} ms, embedded (simulator) in ${embedMs.toFixed(0)} ms`,
      );
      for (const kind of Object.keys(ranks)) {
        all[kind].push(...ranks[kind]);
        console.log(`  ${kind.padEnd(27)} recall@5 ${recallAt(ranks[kind], 5).toFixed(3)}  recall@10 ${recallAt(ranks[kind], 10).toFixed(3)}`);
      }
    }
  } finally {
    await sim.stop();
  }
  const lexical10 = recallAt(all.lexical, 10);
  const hybrid10 = recallAt(all.hybrid, 10);
  const lexical5 = recallAt(all.lexical, 5);
  const hybrid5 = recallAt(all.hybrid, 5);
  console.log(`all ${all.lexical.length} questions:`);
  console.log(`  lexical recall@5 ${recallAt(all.lexical, 5).toFixed(3)}, recall@10 ${lexical10.toFixed(3)} ${verdict(lexical10 >= 0.8, 'recall@10 >= 0.8')}`);
  console.log(
    `  vector  recall@5 ${recallAt(all.vector, 5).toFixed(3)}, recall@10 ${recallAt(all.vector, 10).toFixed(3)} (simulator vectors: plumbing, not semantics)`,
  );
  console.log(
    `  hybrid  recall@5 ${hybrid5.toFixed(3)}, recall@10 ${hybrid10.toFixed(3)} (default fusion: vector weight ${lib.DEFAULT_FUSION.vector}) ${verdict(hybrid10 >= lexical10, 'hybrid recall@10 >= lexical')}${hybrid5 < lexical5 ? `; recall@5 ${(lexical5 - hybrid5).toFixed(3)} below lexical` : ''}`,
  );
  // How much a weak vector ranker costs at other weights (the simulator's vectors are weak on purpose).
  for (const w of SWEEP)
    console.log(
      `  hybrid at vector weight ${String(w).padEnd(4)}: recall@5 ${recallAt(all[sweepName(w)], 5).toFixed(3)}, recall@10 ${recallAt(all[sweepName(w)], 10).toFixed(3)}`,
    );
}
