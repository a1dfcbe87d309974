#!/usr/bin/env node
// `npm run demo`: Therapist without Ollama. Starts the project's Ollama simulator as a clearly labelled demo server
// (canned answers, not a model; the chat header says so) and a real VS Code (code-server) on 127.0.0.1 with Therapist
// loaded from this folder, pointed at that server, on a small sample workspace. Prints the URL to open.
// Everything but the answers is real: counting, the meter, truncation notices, streaming, Stop, ledger, dashboard.
// Env: THERAPIST_PORT (default 8080, or a free port if taken; 0 = any free port). Ctrl+C stops everything.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT, freePort, startCodeServer, toolsInstalled } from './lib/codeServer.mjs';

/** What the demo server says it is; the chat header shows it as "demo server: <label>". */
const DEMO_LABEL = 'canned answers, not a model';
/**
 * Two demo models: a roomy thinking one with a real vocabulary (Qwen3's, so the meter counts exactly, "qwen2
 * (exact)", and answers show a Thinking section), and one with a 1k window and no readable tokenizer (counted with
 * the labelled cl100k estimate), so truncation is easy to see.
 */
const DEMO_MODELS = [
  {
    name: 'demo-coder:7b',
    vocab: 'qwen3',
    contextLength: 16384,
    reply: { demo: true },
    thinking: 'Demo reasoning, canned like the answer: find where the question points in the workspace, then answer briefly.',
    tokensPerSecond: 30,
    timeToFirstTokenMs: 250,
    family: 'demo',
    parameterSize: '7B',
    quantization: 'Q4_K_M',
  },
  {
    name: 'demo-small:1b',
    contextLength: 1024,
    reply: { demo: true },
    tokensPerSecond: 45,
    timeToFirstTokenMs: 150,
    family: 'demo',
    parameterSize: '1B',
    quantization: 'Q8_0',
  },
];

const log = (m) => console.log(`[demo] ${m}`);

if (!toolsInstalled()) execFileSync('bash', [path.join(ROOT, 'scripts/setup-test-tools.sh')], { stdio: 'inherit' });
execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'inherit' });

// 1. The demo server: the simulator, its own process, real HTTP.
const simulator = spawn(
  process.execPath,
  ['--require', 'tsx/cjs', path.join(ROOT, 'test/support/ollamaSimulatorCli.ts'), '--port', '0', '--demo', DEMO_LABEL, '--models', JSON.stringify(DEMO_MODELS)],
  { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
);
const simulatorUrl = await new Promise((resolve, reject) => {
  let buffered = '';
  simulator.stdout.on('data', (d) => {
    buffered += d;
    const m = /SIMULATOR_URL=(\S+)/.exec(buffered);
    if (m) resolve(m[1]);
  });
  simulator.on('exit', (code) => reject(new Error(`the demo server exited (${code}) before it listened`)));
});
log(`demo server (canned answers) at ${simulatorUrl}`);

// 2. A throwaway copy of the sample workspace, so the demo never edits the repository's files.
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'therapist-demo-ws-'));
fs.cpSync(path.join(ROOT, 'scripts/demo-workspace'), workspace, { recursive: true });

// 3. code-server with Therapist from this folder, pointed at the demo server.
const wanted = Number(process.env.THERAPIST_PORT ?? 8080);
const port =
  wanted === 0
    ? await freePort()
    : await new Promise((resolve) => {
        const probe = net
          .createServer()
          .once('error', () => freePort().then(resolve))
          .once('listening', () => probe.close(() => resolve(wanted)));
        probe.listen(wanted, '127.0.0.1');
      });
const server = await startCodeServer({
  port,
  workspace,
  settings: { 'therapist.ollamaUrl': simulatorUrl, 'therapist.model': DEMO_MODELS[0].name, 'workbench.startupEditor': 'readme' },
});
const url = server.url({ extensionDevelopmentPath: ROOT });
console.log(
  `\nTherapist demo is running (no Ollama needed: the answers are canned, the header says so).\nOpen this URL in your browser:\n\n  ${url}\n\n` +
    'Then press F1 and run "Therapist: Open Chat", or select code in rateLimiter.ts and right-click "Therapist: Explain Selection".\nCtrl+C to stop.\n',
);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  simulator.kill();
  await server.stop();
  fs.rmSync(workspace, { recursive: true, force: true });
  log('stopped');
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.child.on('exit', (code) => {
  if (!stopping) console.error(`code-server exited (${code}); log: ${server.logFile}`);
  void stop();
});
