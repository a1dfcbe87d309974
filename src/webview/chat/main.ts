import type { HostToWebview, WebviewToHost } from '../../protocol';
import './chat.css';

declare function acquireVsCodeApi(): { postMessage(message: WebviewToHost): void };
const vscode = acquireVsCodeApi();

const app = document.getElementById('app')!;
const header = document.createElement('header');
header.className = 'header';
const log = document.createElement('main');
log.className = 'messages';
const form = document.createElement('form');
form.className = 'composer';
const input = document.createElement('textarea');
input.id = 'prompt';
input.placeholder = 'Ask about your code…';
input.rows = 3;
const send = document.createElement('button');
send.type = 'submit';
send.textContent = 'Send';
form.append(input, send);
app.append(header, log, form);

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (text) vscode.postMessage({ type: 'send', text });
});

window.addEventListener('message', (e: MessageEvent<HostToWebview>) => {
  const m = e.data;
  if (m.type === 'state') header.textContent = `${m.model} · ${m.limit} tokens`;
});

vscode.postMessage({ type: 'ready' });
