// A tiny static server for the chat webview harness: the built dist/webview/chat.{js,css} inside a page
// with a fake `acquireVsCodeApi` and a scripted fake host (fakeHost.browser.ts, bundled to out/harness/). 127.0.0.1, random port.
//   node test/ui/harness/server.mjs     serve and print the URL (open it in a browser to play with the panel)
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json' };

/** URL path -> file on disk. Nothing else is served. */
const ROUTES = {
  '/': path.join(here, 'public', 'index.html'),
  '/fake-host.js': path.join(root, 'out', 'harness', 'fake-host.js'),
  '/themes.css': path.join(here, 'public', 'themes.css'),
  '/dist/webview/chat.js': path.join(root, 'dist', 'webview', 'chat.js'),
  '/dist/webview/chat.css': path.join(root, 'dist', 'webview', 'chat.css'),
  '/dist/webview/chat.js.map': path.join(root, 'dist', 'webview', 'chat.js.map'),
};

/** Starts the server; resolves to its base URL and a close function. */
export async function startHarnessServer() {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = ROUTES[url.pathname];
    if (!file) {
      res.writeHead(404).end('not found');
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
    } catch (error) {
      res.writeHead(500).end(`cannot read ${path.relative(root, file)}: ${error.message} (run npm run build first)`);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(resolve)) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await startHarnessServer();
  console.log(`chat panel harness at ${url} (Ctrl+C to stop)`);
}
