#!/usr/bin/env node
// `npm run test:desktop`: the same extension-host suite in desktop VS Code through @vscode/test-electron,
// for machines that can download VS Code from Microsoft (this one cannot: use `npm run test:vscode`).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'inherit' });
try {
  await runTests({
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: path.join(ROOT, 'out/vscode-tests/index.js'),
    launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  });
} catch (e) {
  console.error(`desktop VS Code tests failed: ${e?.message ?? e}`);
  process.exit(1);
}
