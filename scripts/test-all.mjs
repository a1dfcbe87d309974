#!/usr/bin/env node
// `npm test`: every suite, in order, cheapest first:
//   lint, typecheck, build, unit (mocha, plain Node), test-token-counter.js (against dist/core.js),
//   the webview in Chromium (standalone harness), the extension-host suite in a real VS Code (code-server),
//   the UI suite in a real browser against the packaged .vsix.
// Steps that need the test tools (Chromium, Node 24, code-server) say so with `needsTools`: before the first of
// them, whatever its position, scripts/setup-test-tools.sh runs once (it is idempotent and installs only what is
// missing), so no suite ever starts on a machine without its tools; a failed setup is one failure and the
// steps that needed it are reported as failed rather than crashing one by one.
// Each suite's own closing `N passed, N failed` line is read and summed; lint, typecheck and build count
// as one check each. A suite that crashes without a count counts as one failure. Later suites still run
// after a failure, so one run shows everything that is wrong. Exit code: non-zero on any failure.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npx = (bin) => path.join(ROOT, 'node_modules/.bin', bin);
const COUNT = /^(?:\w[\w-]*: )?(\d+) passed, (\d+) failed/;

/** [name, command, args, { counted, needsTools }]: counted suites print their own `N passed, N failed`. */
const steps = [
  ['lint', npx('eslint'), ['.'], { counted: false }],
  ['typecheck', 'npm', ['run', '--silent', 'typecheck'], { counted: false }],
  ['build', process.execPath, ['esbuild.config.mjs'], { counted: false }],
  ['unit', npx('mocha'), ['test/unit/**/*.test.ts'], { counted: true }],
  ['token-counter', process.execPath, ['test-token-counter.js'], { counted: true }],
  ['webview', process.execPath, ['test/ui/harness/panel.harness.mjs'], { counted: true, needsTools: true }],
  ['vscode', process.execPath, ['scripts/run-vscode-suite.mjs'], { counted: true, needsTools: true, env: { THERAPIST_SKIP_BUILD: '1' } }],
  ['ui', process.execPath, ['scripts/run-ui-suite.mjs'], { counted: true, needsTools: true }],
];

function run(cmd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let last = null;
    const scan = (chunk, out) => {
      out.write(chunk);
      for (const line of String(chunk).split('\n')) {
        const m = COUNT.exec(line.trim());
        if (m) last = { passed: Number(m[1]), failed: Number(m[2]) };
      }
    };
    child.stdout.on('data', (c) => scan(c, process.stdout));
    child.stderr.on('data', (c) => scan(c, process.stderr));
    child.on('error', (e) => resolve({ code: 1, last, error: e }));
    child.on('exit', (code) => resolve({ code: code ?? 1, last }));
  });
}

const t0 = Date.now();
const results = [];
/** undefined until a step needs the tools; then whether the setup succeeded. */
let toolsReady;
for (const [name, cmd, args, opts] of steps) {
  if (opts.needsTools && toolsReady === undefined) {
    const started = Date.now();
    console.log('\n━━━ setup (test tools) ━━━');
    const { code } = await run('bash', [path.join(ROOT, 'scripts/setup-test-tools.sh')], {});
    toolsReady = code === 0;
    results.push({ name: 'setup', passed: toolsReady ? 1 : 0, failed: toolsReady ? 0 : 1, seconds: (Date.now() - started) / 1000 });
  }
  if (opts.needsTools && !toolsReady) {
    console.log(`\n━━━ ${name} ━━━\nnot run: the test tools could not be installed (see the setup step above)`);
    results.push({ name, passed: 0, failed: 1, seconds: 0 });
    continue;
  }
  const started = Date.now();
  console.log(`\n━━━ ${name} ━━━`);
  const { code, last } = await run(cmd, args, opts.env);
  let passed, failed;
  if (opts.counted && last) {
    ({ passed, failed } = last);
    if (code !== 0 && failed === 0) failed = 1; // crashed after printing a clean count
  } else {
    passed = code === 0 ? 1 : 0;
    failed = code === 0 ? 0 : 1;
  }
  results.push({ name, passed, failed, seconds: (Date.now() - started) / 1000 });
}

console.log('\n━━━ summary ━━━');
for (const r of results)
  console.log(
    `${r.failed ? '✘' : '✔'} ${r.name.padEnd(14)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed  ${r.seconds.toFixed(1)} s`,
  );
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
console.log(`total time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
