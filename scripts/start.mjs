#!/usr/bin/env node
// `npm start`: builds Therapist (and keeps rebuilding on change), starts a real VS Code (code-server) on
// 127.0.0.1 with the extension loaded from this folder and a throwaway profile, and prints the URL to open.
// Reload the browser tab after a change. Ctrl+C stops everything and removes the profile.
// Env: THERAPIST_PORT (default 8080, or a free port if taken), THERAPIST_OLLAMA_URL (sets therapist.ollamaUrl).
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT, freePort, startCodeServer, toolsInstalled } from './lib/codeServer.mjs';

if (!toolsInstalled()) execFileSync('bash', [path.join(ROOT, 'scripts/setup-test-tools.sh')], { stdio: 'inherit' });
execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'inherit' });
const watcher = spawn(process.execPath, ['esbuild.config.mjs', '--watch'], { cwd: ROOT, stdio: 'inherit' });

const wanted = Number(process.env.THERAPIST_PORT || 8080);
const port = await new Promise((resolve) => {
  import('node:net').then(({ default: net }) => {
    const probe = net
      .createServer()
      .once('error', () => freePort().then(resolve))
      .once('listening', () => probe.close(() => resolve(wanted)));
    probe.listen(wanted, '127.0.0.1');
  });
});
const settings = process.env.THERAPIST_OLLAMA_URL ? { 'therapist.ollamaUrl': process.env.THERAPIST_OLLAMA_URL } : {};
const server = await startCodeServer({ port, settings, log: () => {} });
const url = server.url({ extensionDevelopmentPath: ROOT });
console.log(
  `\nTherapist is running in VS Code (code-server ${server.base}).\nOpen this URL in your browser:\n\n  ${url}\n\nThen run "Therapist: Open Chat" from the command palette (F1). Ctrl+C to stop.\n`,
);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  watcher.kill();
  await server.stop();
  console.log('stopped');
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.child.on('exit', (code) => {
  if (!stopping) console.error(`code-server exited (${code}); log: ${server.logFile}`);
  stop();
});
