// One build for every bundle Therapist ships or tests with.
//   node esbuild.config.mjs               build once (development: sourcemaps, no minify)
//   node esbuild.config.mjs --watch       rebuild on change
//   node esbuild.config.mjs --production  minified, for `npm run package`
import * as esbuild from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** The core must run in plain Node: fail the build if anything in it reaches for `vscode`. */
const forbidVscode = {
  name: 'forbid-vscode',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) => ({
      errors: [{ text: `the core may not import 'vscode' (imported from ${path.relative(root, args.importer)})` }],
    }));
  },
};

/** Copies runtime assets that bundled dependencies load from disk next to the bundle that loads them. */
const copyRuntimeAssets = {
  name: 'copy-runtime-assets',
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length) return;
      const dist = path.join(root, 'dist');
      await mkdir(dist, { recursive: true });
      // tiktoken's Node entry reads tiktoken_bg.wasm from its own __dirname, which is dist/ once bundled.
      const wasm = path.join(path.dirname(require.resolve('tiktoken')), 'tiktoken_bg.wasm');
      await copyFile(wasm, path.join(dist, 'tiktoken_bg.wasm'));
    });
  },
};

/**
 * The index worker loads tree-sitter's runtime and one grammar per language from a folder it is given
 * (dist/tree-sitter/ in the extension). Only the grammars the chunker uses are copied: the list is
 * src/core/context/syntax/languages.ts's own (bundled and evaluated here), so it has one owner.
 */
const copyGrammars = {
  name: 'copy-tree-sitter-grammars',
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length) return;
      const from = path.dirname(require.resolve('@vscode/tree-sitter-wasm'));
      const to = path.join(root, 'dist', 'tree-sitter');
      await mkdir(to, { recursive: true });
      const files = ['tree-sitter.wasm', ...(await grammarNames()).map((g) => `tree-sitter-${g}.wasm`)];
      await Promise.all(files.map((f) => copyFile(path.join(from, f), path.join(to, f))));
      await copyFile(path.join(from, '..', 'LICENSE'), path.join(to, 'LICENSE'));
    });
  },
};

/** The grammar names LANGUAGES lists (src/core/context/syntax/languages.ts has no imports with side effects). */
async function grammarNames() {
  const out = await esbuild.build({
    entryPoints: ['src/core/context/syntax/languages.ts'],
    absWorkingDir: root,
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    logLevel: 'warning',
  });
  const mod = { exports: {} };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, require);
  return [...new Set(mod.exports.LANGUAGES.map((l) => l.grammar))];
}

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

const node = { ...common, platform: 'node', format: 'cjs', target: 'node18' };

// A release build starts from an empty dist/ so no stale development files (sourcemaps) get packaged.
if (production) await rm(path.join(root, 'dist'), { recursive: true, force: true });

const configs = [
  // 1. The extension host bundle. `vscode` is provided by the host at run time.
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], plugins: [copyRuntimeAssets] },
  // 2. The core as a plain CommonJS library for scripts, benchmarks and anyone's Node code.
  { ...node, entryPoints: ['src/index.ts'], outfile: 'dist/core.js', plugins: [forbidVscode, copyRuntimeAssets] },
  // 3. The workspace index's worker thread (src/core/context/retrieval/workerIndex.ts starts it): core only, so
  //    no `vscode`; it reads the grammars from dist/tree-sitter/ and tiktoken_bg.wasm from dist/.
  {
    ...node,
    entryPoints: ['src/core/context/retrieval/indexWorker.ts'],
    outfile: 'dist/retrievalWorker.js',
    plugins: [forbidVscode, copyRuntimeAssets, copyGrammars],
  },
];

// 4. Webview bundles (browser). Each entry's imported CSS lands beside it as <name>.css.
for (const name of ['chat', 'dashboard']) {
  configs.push({
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: { [name]: `src/webview/${name}/main.ts` },
    outdir: 'dist/webview',
    loader: { '.ttf': 'file', '.woff2': 'file' },
  });
}

// 5. The extension-host test suite (run inside a real VS Code by scripts/run-vscode-suite.mjs).
//    Never shipped: .vscodeignore keeps out/ out of the .vsix.
if (!production) {
  configs.push({
    ...node,
    entryPoints: ['test/vscode/index.ts'],
    outfile: 'out/vscode-tests/index.js',
    external: ['vscode', 'mocha'],
  });
}

// 6. The chat webview harness's fake host (typed against the real protocol; test/ui/harness/).
if (!production) {
  configs.push({
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: ['test/ui/harness/fakeHost.browser.ts'],
    outfile: 'out/harness/fake-host.js',
  });
}

if (watch) {
  const contexts = await Promise.all(configs.map((c) => esbuild.context(c)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`[esbuild] watching ${configs.length} bundles; Ctrl+C to stop`);
} else {
  const started = Date.now();
  await Promise.all(configs.map((c) => esbuild.build(c)));
  console.log(`[esbuild] built ${configs.length} bundles in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
