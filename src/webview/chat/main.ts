// The chat webview: draws what the host says (src/protocol.ts) and reports what the user does.
// It holds no conversation of its own; after a reload the host sends the whole state again.
import {
  CHAT_ACTIONS,
  type ChatAction,
  type ChatRequests,
  type ConversationSummary,
  type HostToWebview,
  type PanelState,
  type WebviewToHost,
} from '../../protocol/chat';
import { RpcClient } from '../../protocol/rpc';
import { formatWindow } from '../../shared/format';
import './chat.css';
import { Composer } from './composer';
import { conversationTotalText } from './format';
import { MessageList } from './messageList';
import { el, renderErrorCard } from './views';

declare function acquireVsCodeApi(): { postMessage(message: WebviewToHost): void };
const vscode = acquireVsCodeApi();
const post = (message: WebviewToHost) => vscode.postMessage(message);
const rpc = new RpcClient<ChatRequests>(post);

const app = document.getElementById('app') ?? document.body;

// Header: model and window, conversation total, conversation picker, New conversation.
const header = el('header', 'header', undefined, 'header');
const modelLabel = el('span', 'header-model', '', 'model');
const windowLabel = el('span', 'header-window', '', 'window');
const total = el('span', 'header-total', '', 'conversation-total');
const picker = el('select', 'header-picker', undefined, 'conversation-list');
picker.setAttribute('aria-label', 'Conversation');
const newButton = el('button', 'button-secondary', 'New conversation', 'new-conversation');
newButton.type = 'button';
const headerInfo = el('div', 'header-info');
headerInfo.append(modelLabel, windowLabel, total);
const headerTools = el('div', 'header-tools');
headerTools.append(picker, newButton);
header.append(headerInfo, headerTools);

const list = new MessageList();
const banner = el('div', 'banner', undefined, 'banner');
const toast = el('div', 'toast', undefined, 'notice');
toast.setAttribute('role', 'status');
toast.hidden = true;
const composer = new Composer(post, rpc);
app.append(header, list.root, banner, composer.root, toast);

let streamingId: string | undefined;

function setStreaming(id: string | undefined): void {
  streamingId = id;
  composer.setStreaming(id !== undefined);
  document.body.dataset.streaming = String(id !== undefined);
}

function showConversations(conversations: ConversationSummary[], activeId: string): void {
  picker.replaceChildren(
    ...conversations.map((c) => {
      const option = el('option', undefined, `${c.title} (${c.messageCount} messages)`);
      option.value = c.id;
      option.selected = c.id === activeId;
      return option;
    }),
  );
  picker.hidden = conversations.length < 2;
}

function showTotal(tokens: number): void {
  total.textContent = conversationTotalText(tokens);
  total.title = `${tokens} tokens used by this conversation (prompts and answers)`;
}

function applyState(state: PanelState): void {
  modelLabel.textContent = state.model;
  windowLabel.textContent = `${formatWindow(state.limit)} window`;
  windowLabel.title = `${state.limit} tokens (num_ctx)`;
  showTotal(state.conversationTokens);
  showConversations(state.conversations, state.conversationId);
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
      return showConversations(m.conversations, m.activeId);
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
    case 'streamEnd':
      list.endStream(m.messageId, m.status, m.text);
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
      return showTotal(m.tokens);
    case 'notice':
      return showNotice(m.text);
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
newButton.addEventListener('click', () => post({ type: 'newConversation' }));
picker.addEventListener('change', () => post({ type: 'switchConversation', conversationId: picker.value }));

window.addEventListener('message', (e: MessageEvent<HostToWebview>) => onMessage(e.data));
post({ type: 'ready' });
