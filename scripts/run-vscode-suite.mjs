#!/usr/bin/env node
// The extension-host suite inside a real VS Code: code-server's Node extension host runs
// out/vscode-tests/index.js (bundled from test/vscode/) while headless Chromium shows the workbench.
// The workbench calls window.codeAutomationExit(code) when the test run ends; the test module writes
// mocha's stats to $THERAPIST_TEST_RESULT_FILE, so this prints `N passed, N failed` and exits accordingly.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { OUTPUT, ROOT, launchChromium, startCodeServer, toolsInstalled } from './lib/codeServer.mjs';

const TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS || 600000);
const t0 = Date.now();
const log = (...a) => console.log(`[vscode-suite ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

if (!toolsInstalled()) execFileSync('bash', [path.join(ROOT, 'scripts/setup-test-tools.sh')], { stdio: 'inherit' });
if (!process.env.THERAPIST_SKIP_BUILD) execFileSync(process.execPath, [path.join(ROOT, 'esbuild.config.mjs')], { stdio: 'inherit', cwd: ROOT });

fs.mkdirSync(OUTPUT, { recursive: true });
const resultFile = path.join(OUTPUT, 'vscode-suite-result.json');
fs.rmSync(resultFile, { force: true });

let server,
  browser,
  done = false;
async function finish(code, why) {
  if (done) return;
  done = true;
  log(`extension host finished: ${why}`);
  try {
    const page = browser?.contexts()[0]?.pages()[0];
    if (page) await page.screenshot({ path: path.join(OUTPUT, 'screenshots', 'vscode-suite-end.png') });
  } catch {
    /* best effort */
  }
  await browser?.close().catch(() => {});
  await server?.stop();
  let passed = 0,
    failed = 0;
  try {
    const r = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    passed = r.stats.passes;
    failed = r.stats.failures;
    for (const f of r.failures ?? []) console.log(`  FAILED: ${f.title}\n    ${f.error}`);
  } catch {
    failed = 1;
    console.log('no result file: the test module did not finish (see the log above and .test-output/code-server-*.log)');
  }
  if (code !== 0 && failed === 0) failed = 1;
  console.log(`vscode: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}
process.on('SIGINT', () => finish(130, 'interrupted'));
process.on('SIGTERM', () => finish(143, 'terminated'));

try {
  const grep = process.argv[2] ?? '';
  server = await startCodeServer({ env: { THERAPIST_TEST_RESULT_FILE: resultFile, THERAPIST_ROOT: ROOT, THERAPIST_TEST_GREP: grep }, log });
  fs.mkdirSync(path.join(OUTPUT, 'screenshots'), { recursive: true });
  browser = await launchChromium();
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  // The hooks the web workbench calls in extension-test mode (as microsoft/vscode's own browser integration tests do).
  const NOISE = /^\[(AgentHost|ChatModelSelection|AccountPolicyGate)|ENOTFOUND|^Creating a socket|^Resolv(ing|ed) connection token|^Canceled|^\[perf\]/;
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    if (!process.env.VERBOSE && typeof args[0] === 'string' && NOISE.test(args[0])) return;
    (console[type] || console.log)(...args);
  });
  await page.exposeFunction('codeAutomationExit', (code) => finish(code, `exit code ${code}`));
  page.on('pageerror', (e) => console.error('[workbench pageerror]', String(e)));
  page.on('crash', () => finish(1, 'page crashed'));
  const url = server.url({ extensionDevelopmentPath: ROOT, extensionTestsPath: path.join(ROOT, 'out/vscode-tests/index.js') });
  log('opening workbench in extension-test mode');
  await page.goto(url);
  setTimeout(() => finish(1, `timeout after ${TIMEOUT_MS} ms`), TIMEOUT_MS).unref();
} catch (e) {
  console.error(e);
  await finish(1, 'runner error');
}
