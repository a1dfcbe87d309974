// `npm run bench`: runs every benchmark in scripts/bench/ (in name order) against the built core (dist/core.js).
// Each one measures its baseline in the same run and prints ratios; none of them fails on machine noise:
// a missed target is printed as MISSED, and the exit code stays 0 unless a benchmark crashes.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench');
const only = process.argv.slice(2);
const files = (await readdir(dir))
  .filter((f) => f.endsWith('.mjs'))
  .sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const mod = await import(pathToFileURL(path.join(dir, file)).href);
  await mod.run();
}
