import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EstimateTokenizer } from '../../../../../src/core/tokens/estimateTokenizer';
import type { CountTokens } from '../../../../../src/core/context/retrieval';

/** The repository root, for real files from node_modules. */
export const ROOT = path.resolve(__dirname, '../../../../..');
export const FIXTURES = path.join(__dirname, 'fixtures');

const estimate = new EstimateTokenizer();

/** The conservative GPT-2 estimate the worker uses by default. */
export const countTokens: CountTokens = (text) => estimate.count(text);

/** A fresh temporary folder, removed by the returned function. */
export async function tempDir(prefix = 'retrieval-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A real file from node_modules (absolute path). */
export function nodeModule(relative: string): string {
  return path.join(ROOT, 'node_modules', relative);
}
