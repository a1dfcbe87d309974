// The chat webview: draws what the host says (src/protocol.ts) and reports what the user does.
// It holds no conversation of its own; after a reload the host sends the whole state again.
import { CHAT_ACTIONS, type ChatAction, type ChatRequests, type HostToWebview, type PanelState, type WebviewToHost } from '../../protocol/chat';
import { RpcClient } from '../../protocol/rpc';
import './chat.css';
import { Composer } from './composer';
import { Header } from './header';
import { MessageList } from './messageList';
import { contextClicks } from './contextList';
import { renderSummaryBanner } from './summaryBanner';
import { el, renderErrorCard } from './views';

declare function acquireVsCodeApi(): { postMessage(message: WebviewToHost): void };
const vscode = acquireVsCodeApi();
const post = (message: WebviewToHost) => vscode.postMessage(message);
const rpc = new RpcClient<ChatRequests>(post);

const app = document.getElementById('app') ?? document.body;

const list = new MessageList();
const banner = el('div', 'banner', undefined, 'banner');
const summaryBanner = el('div', 'summary-banner', undefined, 'summary-banner');
summaryBanner.setAttribute('role', 'status');
summaryBanner.hidden = true;
const toast = el('div', 'toast', undefined, 'notice');
toast.setAttribute('role', 'status');
toast.hidden = true;
const header = new Header(rpc, post, (text) => showNotice(text));
const composer = new Composer(post, rpc, (reading) => header.showReading(reading));
app.append(header.root, summaryBanner, list.root, banner, composer.root, toast);

let streamingId: string | undefined;

function setStreaming(id: string | undefined): void {
  streamingId = id;
  composer.setStreaming(id !== undefined);
  document.body.dataset.streaming = String(id !== undefined);
}

function applyState(state: PanelState): void {
  header.applyState(state);
  renderSummaryBanner(summaryBanner, state.summary, post);
  banner.replaceChildren();
  list.reset(state.messages, state.streamingMessageId);
  setStreaming(state.streamingMessageId);
  composer.measureNow();
}

let toastTimer: number | undefined;
function showNotice(text: string): void {
  toast.textContent = text;
  toast.hidden = false;
  if (toastTimer !== undefined) clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => (toast.hidden = true), 2500);
}

function onMessage(m: HostToWebview): void {
  switch (m.type) {
    case 'state':
      return applyState(m.state);
    case 'conversations':
      return header.showConversations(m.conversations, m.activeId);
    case 'reply':
      rpc.receive(m);
      return;
    case 'messageAdded':
      banner.replaceChildren();
      if (m.message.role === 'user') list.stickToEnd();
      list.upsert(m.message);
      if (m.message.status === 'streaming') setStreaming(m.message.id);
      return;
    case 'streamStart':
      return setStreaming(m.messageId);
    case 'streamTokens':
      return list.appendTokens(m.messageId, m.text);
    case 'streamThinking':
      return list.appendThinking(m.messageId, m.text);
    case 'streamEnd':
      list.endStream(m.messageId, m.status, m.text, m.thinking);
      if (streamingId === m.messageId) setStreaming(undefined);
      composer.measureNow();
      return;
    case 'usage':
      return list.setUsage(m.messageId, m.usage);
    case 'notices':
      return list.setNotices(m.messageId, m.notices);
    case 'error':
      if (m.messageId && list.setError(m.messageId, m.error)) return;
      banner.replaceChildren(renderErrorCard(m.error, undefined));
      return;
    case 'conversationTotal':
      return header.showTotal(m.tokens);
    case 'server':
      return header.showServer(m.demo);
    case 'recount':
      return composer.measureNow();
    case 'notice':
      return showNotice(m.text);
    case 'summary':
      return renderSummaryBanner(summaryBanner, m.summary, post);
    case 'context':
      return list.setContext(m.messageId, m.context);
  }
}

/** The buttons carry their action as a data attribute; only the protocol's actions are sent. */
function isChatAction(value: string | undefined): value is ChatAction {
  return (CHAT_ACTIONS as readonly string[]).includes(value ?? '');
}

// One delegated click handler: error-card actions and code-block buttons, wherever they are.
app.addEventListener('click', (e) => {
  const target = e.target instanceof Element ? e.target.closest('button') : null;
  if (!target) return;
  const action = target.dataset.action;
  if (isChatAction(action)) {
    post({ type: 'action', action, messageId: target.dataset.messageId });
    if (!target.dataset.messageId) banner.replaceChildren();
    return;
  }
  const codeAction = target.dataset.codeAction;
  if (codeAction) {
    const block = target.closest('.code-block');
    const code = block?.querySelector('pre code')?.textContent ?? '';
    const language = block?.querySelector('pre')?.dataset.lang || undefined;
    post(codeAction === 'copy' ? { type: 'copyCode', code } : { type: 'insertCode', code, language });
  }
});

// The context lists' buttons (open a chunk, pin or exclude its file).
app.addEventListener('click', contextClicks(post));

window.addEventListener('message', (e: MessageEvent<HostToWebview>) => onMessage(e.data));
post({ type: 'ready' });
