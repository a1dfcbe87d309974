// A scripted stand-in for the extension host, speaking the real chat protocol (src/protocol/chat.ts, typed) to the
// real chat webview. Bundled by esbuild.config.mjs into out/harness/fake-host.js. It answers `ready` with state,
// the `measure` request with a deterministic count (chars / 4, or chars / 2.5 when the estimate flag is set), and
// `send` with a scenario chosen by a tag in the prompt:
//   #slow        a long answer, streamed slowly (for Stop)
//   #truncate    a prompt the token engine had to cut (context chunks and history)
//   #server      Ollama read fewer prompt tokens than were sent
//   #unreachable Ollama is not running (error card with Retry / Open Settings / Open Log)
//   #missing     the model is not installed (Copy pull command)
//   #xss         model output that tries to run script
//   #think       a thinking model: reasoning (with hostile HTML in it) streams first, then the answer
//   (anything else) a short answer with a fenced TypeScript block
// Every message the webview sends is recorded in window.__sent for the harness to assert on.
import type {
  ChatErrorInfo,
  ChatMessage,
  ChatRequests,
  HostToWebview,
  MessageStatus,
  MessageUsage,
  PanelState,
  TokenBreakdown,
  WebviewToHost,
} from '../../../src/protocol/chat';
import { answerRequest, type RpcHandlers } from '../../../src/protocol/rpc';
import type { Notice } from '../../../src/shared/notices';

interface FakeControls {
  estimated: boolean;
  /** Set before load to play the project's demo server (its badge in the header). */
  demo?: string;
  tokenDelayMs: number;
  /** What the host does for Explain Selection (chat.ask with a title and a command): no webview command starts it. */
  explain(): void;
}
declare global {
  interface Window {
    __sent: WebviewToHost[];
    __fake: FakeControls;
    acquireVsCodeApi(): { postMessage(message: WebviewToHost): void; getState(): unknown; setState(state: unknown): void };
  }
}

interface Conversation {
  id: string;
  title: string;
  messages: ChatMessage[];
  total: number;
}

const LIMIT = 8192;
const RESERVE = 819;
const SYSTEM = 120;
const sent: WebviewToHost[] = [];
window.__sent = sent;
let nextId = 1;
let conversation = newConversation();
let running: { stop(): void } | undefined;
let model = 'deepseek-coder:6.7b';

function newConversation(): Conversation {
  return { id: `c${nextId++}`, title: 'New conversation', messages: [], total: 0 };
}
function toWebview(message: HostToWebview): void {
  window.postMessage(message, '*');
}
function count(text: string): number {
  return Math.ceil(text.length / (window.__fake.estimated ? 2.5 : 4));
}
function historyTokens(): number {
  return conversation.messages.reduce((n, m) => n + (m.status === 'error' ? 0 : count(m.text)), 0);
}
function breakdown(text: string, extra: Partial<TokenBreakdown> = {}): TokenBreakdown {
  const b = {
    system: SYSTEM,
    user: count(text),
    context: 0,
    history: historyTokens(),
    reserved: RESERVE,
    limit: LIMIT,
    estimated: window.__fake.estimated,
    ...extra,
  };
  return { ...b, used: b.system + b.user + b.context + b.history };
}
function state(): PanelState {
  return {
    model,
    limit: LIMIT,
    conversationId: conversation.id,
    conversationTitle: conversation.title,
    messages: conversation.messages,
    conversations: [
      { id: conversation.id, title: conversation.title, updatedAt: Date.now(), messageCount: conversation.messages.length, totalTokens: conversation.total },
    ],
    conversationTokens: conversation.total,
  };
}

const ANSWERS = {
  normal:
    'Here is a typed helper:\n\n```ts\nexport function clamp(n: number, lo: number, hi: number): number {\n  return Math.min(hi, Math.max(lo, n));\n}\n```\n\nIt returns `n` limited to **[lo, hi]**.',
  slow: Array.from({ length: 60 }, (_, i) => `Step ${i + 1}: this sentence is part of a deliberately long answer.`).join('\n\n'),
  xss: 'Model output that tries to run code:\n\n<script>window.__xss = "script"</script>\n\n<img src=x onerror="window.__xss = \'img\'">\n\nInline <b onmouseover="window.__xss=\'b\'">bold?</b> and [a link](javascript:window.__xss=\'link\') and <iframe src="javascript:window.__xss=\'iframe\'"></iframe>\n\n```html\n<script>alert(1)</script>\n```',
};
type Tag = 'normal' | 'slow' | 'truncate' | 'server' | 'unreachable' | 'missing' | 'xss' | 'think';
const THOUGHT = 'The user wants **clamp**. Keep `lo <= hi`. <img src=x onerror="window.__xss = \'thinking\'"> Then answer briefly.';

function tokensOf(text: string): string[] {
  return text.match(/\s*\S+|\s+/g) ?? [];
}

function addMessage(message: ChatMessage): void {
  const i = conversation.messages.findIndex((m) => m.id === message.id);
  if (i >= 0) conversation.messages[i] = message;
  else conversation.messages.push(message);
  toWebview({ type: 'messageAdded', message });
}

function setNotices(message: ChatMessage, notices: Notice[]): void {
  message.notices = notices.length ? notices : undefined;
  toWebview({ type: 'notices', messageId: message.id, notices });
}

function start(userMessage: ChatMessage, replaceId?: string): void {
  const prompt = userMessage.text;
  const tag = ((/#(slow|truncate|server|unreachable|missing|xss|think)/.exec(prompt) || [])[1] as Tag | undefined) ?? 'normal';
  const truncated = tag === 'truncate';
  const usage: MessageUsage = { prompt: breakdown(prompt, truncated ? { context: 3900, history: 2600 } : {}) };
  userMessage.usage = usage;
  toWebview({ type: 'usage', messageId: userMessage.id, usage });
  setNotices(
    userMessage,
    truncated
      ? [
          {
            kind: 'truncated',
            sections: ['context', 'history'],
            tokensCut: 2417,
            droppedMessages: 3,
            window: LIMIT,
            droppedChunks: [
              { source: 'src/parser.ts:120-260', tokens: 1630 },
              { source: 'open editor: util.ts', tokens: 412 },
              { source: 'src/parser.ts:1-40', tokens: 375, partial: true },
            ],
          },
        ]
      : [],
  );

  const assistant: ChatMessage = { id: replaceId || `m${nextId++}`, role: 'assistant', text: '', status: 'streaming', createdAt: Date.now() };
  if (tag === 'unreachable' || tag === 'missing') {
    const error: ChatErrorInfo =
      tag === 'unreachable'
        ? {
            code: 'ollama-unreachable',
            message: 'Ollama is not reachable at http://127.0.0.1:11434.',
            advice: 'Is `ollama serve` running? Start it, then retry.',
            actions: ['retry', 'openSettings', 'openLog'],
          }
        : {
            code: 'model-not-found',
            message: "Model 'deepseek-coder:6.7b' is not installed.",
            advice: 'Run `ollama pull deepseek-coder:6.7b`, or pick another model in the settings.',
            actions: ['copyPullCommand', 'openSettings', 'openLog'],
            pullCommand: 'ollama pull deepseek-coder:6.7b',
          };
    const failed: ChatMessage = { ...assistant, status: 'error', error };
    addMessage(failed);
    toWebview({ type: 'streamEnd', messageId: failed.id, status: 'error', text: '' });
    toWebview({ type: 'error', messageId: failed.id, error });
    return;
  }
  addMessage(assistant);
  toWebview({ type: 'streamStart', messageId: assistant.id });
  const tokens = tokensOf(tag in ANSWERS ? ANSWERS[tag as keyof typeof ANSWERS] : ANSWERS.normal);
  const thoughts = tag === 'think' ? tokensOf(THOUGHT) : [];
  const perBatch = tag === 'slow' ? 1 : 3;
  const delay = tag === 'slow' ? 40 : window.__fake.tokenDelayMs;
  let i = 0;
  const finish = (status: MessageStatus) => {
    clearInterval(timer);
    running = undefined;
    assistant.status = status;
    const completion = count(assistant.text);
    conversation.total += usage.prompt.used + completion;
    usage.completionTokens = completion;
    usage.modelPromptTokens = tag === 'server' ? 2048 : usage.prompt.used;
    toWebview({ type: 'streamEnd', messageId: assistant.id, status, text: assistant.text, thinking: assistant.thinking });
    toWebview({ type: 'usage', messageId: userMessage.id, usage });
    if (tag === 'server') setNotices(userMessage, [{ kind: 'serverCut', sentTokens: 5310, evaluatedTokens: 2048, expectedTokens: 5310, numCtx: LIMIT }]);
    toWebview({ type: 'conversationTotal', tokens: conversation.total });
  };
  let t = 0;
  const timer = setInterval(() => {
    if (t < thoughts.length) {
      const thought = thoughts.slice(t, t + perBatch).join('');
      t += perBatch;
      assistant.thinking = (assistant.thinking ?? '') + thought;
      toWebview({ type: 'streamThinking', messageId: assistant.id, text: thought });
      return;
    }
    const batch = tokens.slice(i, i + perBatch).join('');
    i += perBatch;
    assistant.text += batch;
    if (batch) toWebview({ type: 'streamTokens', messageId: assistant.id, text: batch });
    if (i >= tokens.length) finish('done');
  }, delay);
  running = { stop: () => finish('stopped') };
}

window.__fake = {
  estimated: false,
  tokenDelayMs: 8,
  explain() {
    const user: ChatMessage = {
      id: `m${nextId++}`,
      role: 'user',
      status: 'done',
      createdAt: Date.now(),
      title: 'Explain src/parser.ts, lines 120-134',
      command: 'explainSelection',
      text: 'Explain this code from src/parser.ts (lines 120-134):\n\nfunction parse(input: string) {\n  return input.split(",");\n}',
    };
    addMessage(user);
    start(user);
  },
};

const handlers: RpcHandlers<ChatRequests> = {
  measure: ({ text }) => ({
    breakdown: text.trim() ? breakdown(text) : { ...breakdown(''), user: 0, used: SYSTEM + historyTokens() },
    windowSource: 'therapist.maxTokens',
  }),
  listModels: () => [
    {
      name: 'deepseek-coder:6.7b',
      trainedContext: 16384,
      parameterSize: '6.7B',
      quantization: 'Q4_0',
      size: 3_827_000_000,
      current: model === 'deepseek-coder:6.7b',
      installed: true,
    },
    {
      name: 'qwen2.5-coder:7b',
      trainedContext: 32768,
      parameterSize: '7.6B',
      quantization: 'Q4_K_M',
      size: 4_683_000_000,
      current: model === 'qwen2.5-coder:7b',
      installed: true,
    },
  ],
  chooseModel: ({ model: chosen }) => {
    model = chosen;
    toWebview({ type: 'notice', text: `therapist.model is now ${chosen} (in your user settings, for every workspace).` });
    toWebview({ type: 'state', state: state() });
    return { scope: 'global' };
  },
};

function onCommand(m: WebviewToHost): void {
  sent.push(m);
  switch (m.type) {
    case 'ready':
      toWebview({ type: 'state', state: state() });
      toWebview({ type: 'server', version: '0.33.0', demo: window.__fake.demo });
      break;
    case 'request':
      void answerRequest(m, handlers, toWebview, (error) => ({ code: 'unexpected', message: String(error) }));
      break;
    case 'send': {
      const user: ChatMessage = { id: `m${nextId++}`, role: 'user', text: m.text, status: 'done', createdAt: Date.now() };
      if (conversation.title === 'New conversation') conversation.title = m.text.slice(0, 60);
      addMessage(user);
      start(user);
      break;
    }
    case 'stop':
      running?.stop();
      break;
    case 'newConversation':
      conversation = newConversation();
      toWebview({ type: 'state', state: state() });
      break;
    case 'action':
      if (m.action === 'retry') {
        const i = conversation.messages.findIndex((x) => x.id === m.messageId);
        const question = conversation.messages[i - 1];
        // A retry succeeds: the scenario tag is dropped, as if Ollama had been started meanwhile.
        start({ ...question, text: question.text.replace(/#\w+/g, '') }, m.messageId);
      } else if (m.action === 'copyPullCommand') {
        toWebview({ type: 'notice', text: 'Copied: ollama pull deepseek-coder:6.7b' });
      }
      break;
    case 'copyCode':
      toWebview({ type: 'notice', text: 'Copied to the clipboard.' });
      break;
    case 'insertCode':
      toWebview({ type: 'notice', text: 'Inserted into src/app.ts.' });
      break;
  }
}

window.acquireVsCodeApi = () => ({
  postMessage: (m: WebviewToHost) => setTimeout(() => onCommand(JSON.parse(JSON.stringify(m)) as WebviewToHost), 0),
  getState: () => undefined,
  setState: () => undefined,
});
