// Benchmarks that measure parts of the core dist/core.js does not export (or test support code) bundle their own
// entry with esbuild, once per run, into .test-output/bench-<name>.cjs, and require it.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(import.meta.url);

/** Bundles `exportLines` (TypeScript `export ... from './src/...'` lines, relative to the repo root) and requires the result. */
export async function bundleEntry(name, exportLines, { external = [] } = {}) {
  const esbuild = require('esbuild');
  const outfile = path.join(root, '.test-output', `bench-${name}.cjs`);
  mkdirSync(path.dirname(outfile), { recursive: true });
  await esbuild.build({
    stdin: { contents: exportLines.join('\n'), resolveDir: root, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    external,
    logLevel: 'warning',
  });
  return require(outfile);
}
