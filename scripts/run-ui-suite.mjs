#!/usr/bin/env node
// The UI suite: what a user sees, in a real VS Code workbench (code-server) driven by headless Chromium.
// It tests the extension as users get it: `npm run package` builds the .vsix, code-server installs it
// with --install-extension into a fresh extensions folder, and every test in test/ui/*.ui.mjs runs
// against that installed copy, talking to the Ollama simulator over real HTTP.
// Screenshots land in .test-output/screenshots/. Last line: `ui: N passed, N failed`.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { OUTPUT, ROOT, codeServerCli, launchChromium, startCodeServer, toolsInstalled } from './lib/codeServer.mjs';
import { Workbench } from '../test/ui/workbench.mjs';
import checksLib from './lib/checks.cjs';

const { createChecks } = checksLib;

const t0 = Date.now();
const log = (...a) => console.log(`[ui-suite ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const only = process.argv.slice(2);
const shots = path.join(OUTPUT, 'screenshots');

if (!toolsInstalled()) execFileSync('bash', [path.join(ROOT, 'scripts/setup-test-tools.sh')], { stdio: 'inherit' });

// 1. The package a user installs.
const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
const vsix = path.join(ROOT, `therapist-${version}.vsix`);
if (!process.env.THERAPIST_SKIP_PACKAGE) execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: 'inherit' });
const extensionsDir = fs.mkdtempSync(path.join(OUTPUT, 'ui-extensions-'));
log(`installing ${path.basename(vsix)} into a fresh extensions folder`);
const installed = await codeServerCli(['--install-extension', vsix], { extensionsDir });
log(installed.trim().split('\n').pop());

// 2. The Ollama simulator (another process, real HTTP), when the project has it.
let simulator,
  simulatorUrl = 'http://127.0.0.1:9';
const simCli = path.join(ROOT, 'test/support/ollamaSimulatorCli.ts');
if (fs.existsSync(simCli)) {
  simulator = spawn(process.execPath, ['--require', 'tsx/cjs', simCli, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  simulatorUrl = await new Promise((resolve, reject) => {
    let buf = '';
    simulator.stdout.on('data', (d) => {
      buf += d;
      const m = /SIMULATOR_URL=(\S+)/.exec(buf);
      if (m) resolve(m[1]);
    });
    simulator.on('exit', (c) => reject(new Error(`simulator exited ${c}`)));
  });
  log(`Ollama simulator at ${simulatorUrl}`);
}

// 3. code-server with the installed extension (no development path: this is the packaged build).
const checks = createChecks({
  ok: (name, ms) => `  ✔ ${name} (${ms} ms)`,
  fail: (name, e) =>
    `  ✘ ${name}\n    ${String(e?.stack ?? e)
      .split('\n')
      .slice(0, 6)
      .join('\n    ')}`,
});
let server, browser;
try {
  server = await startCodeServer({ extensionsDir, enableTestDriver: false, settings: { 'therapist.ollamaUrl': simulatorUrl }, log });
  browser = await launchChromium();
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  page.on('pageerror', (e) => console.error('[workbench pageerror]', String(e).slice(0, 300)));
  await page.goto(server.url());
  const wb = new Workbench(page, { screenshotDir: shots });
  wb.simulatorUrl = simulatorUrl;
  wb.workspace = server.workspace;
  await wb.ready();
  log('workbench ready');

  const files = fs
    .readdirSync(path.join(ROOT, 'test/ui'))
    .filter((f) => f.endsWith('.ui.mjs'))
    .sort();
  for (const file of files) {
    const { tests } = await import(pathToFileURL(path.join(ROOT, 'test/ui', file)).href);
    for (const test of tests) {
      if (only.length && !only.some((o) => test.name.includes(o) || file.includes(o))) continue;
      const started = Date.now();
      let failedHere = false;
      await checks.check(test.name, async () => {
        try {
          await test.run(wb);
        } catch (e) {
          failedHere = true;
          throw e;
        }
        return Date.now() - started;
      });
      if (failedHere) await wb.screenshot(`FAILED-${file.replace(/\.ui\.mjs$/, '')}-${checks.passed + checks.failed}`).catch(() => {});
    }
  }
} catch (e) {
  checks.crashed(e);
} finally {
  await browser?.close().catch(() => {});
  await server?.stop();
  simulator?.kill();
  fs.rmSync(extensionsDir, { recursive: true, force: true });
}
console.log(`screenshots: ${path.relative(ROOT, shots)}/`);
const { failed } = checks.finish('ui: ');
process.exit(failed > 0 ? 1 : 0);
