// Drives the real chat webview bundle in Chromium against the scripted fake host (public/fake-host.js),
// without VS Code. Run after `npm run build`:   node test/ui/harness/panel.harness.mjs
// Screenshots go to .test-output/screenshots/ (git-ignored). Last line: "N passed, N failed".
// Selectors are the data-testid contract listed in docs/usage.md ("For test authors").
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../scripts/lib/codeServer.mjs';
import { startHarnessServer } from './server.mjs';
import checks from '../../../scripts/lib/checks.cjs';

const { createChecks, assert } = checks;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shots = path.join(root, '.test-output', 'screenshots');
const T = (id) => `[data-testid="${id}"]`;
const WAIT = { timeout: 10_000 };

const { check, finish } = createChecks();

// Run on its own on a new machine, the harness installs its browser first (the same idempotent setup npm test runs).
if (!existsSync(CHROMIUM)) execFileSync('bash', [path.join(root, 'scripts/setup-test-tools.sh')], { stdio: 'inherit' });
const server = await startHarnessServer();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  await mkdir(shots, { recursive: true });
  const page = await browser.newPage({ viewport: { width: 760, height: 900 } });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  await page.goto(server.url);

  const lastSent = (type) => page.evaluate((t) => [...window.__sent].reverse().find((m) => m.type === t), type);
  const lastMessage = (role) => page.locator(`${T('message')}[data-role="${role}"]`).last();
  const shoot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: false });
  /** Sends a prompt and waits until its answer's message exists (postMessage is asynchronous). */
  async function send(text) {
    const before = await page.locator(`${T('message')}[data-role="assistant"]`).count();
    await page.fill(T('prompt-input'), text);
    await page.click(T('send'));
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="message"][data-role="assistant"]').length > n, before, WAIT);
  }
  async function waitDone(locator) {
    await page.waitForFunction((el) => el.dataset.status !== 'streaming', await locator.elementHandle(), WAIT);
  }

  await check('ready comes first, then the state draws header and empty conversation', async () => {
    await page.waitForSelector(T('empty-state'), WAIT);
    const first = await page.evaluate(() => window.__sent[0]);
    assert(first?.type === 'ready', `first message was ${JSON.stringify(first)}`);
    assert((await page.textContent(T('model'))) === 'deepseek-coder:6.7b', 'model not shown in the header');
    assert((await page.textContent(T('conversation-total'))) === '0 tokens used in this conversation', 'conversation total not shown');
  });

  await check('the header says what matters for the next request: the window and how full the next prompt is; the total is labelled', async () => {
    await page.waitForFunction(
      () => /next prompt \d+% of the window/.test(document.querySelector('[data-testid="next-prompt"]')?.textContent ?? ''),
      undefined,
      WAIT,
    );
    // An empty composer: system 120 + reserve 819 of 8192 = 11%, nothing counted for "your message", no warning.
    assert((await page.textContent(T('next-prompt'))) === 'next prompt 11% of the window', await page.textContent(T('next-prompt')));
    assert((await page.textContent(T('window'))) === '8k window', 'the effective window');
    assert((await page.getAttribute(T('window'), 'title')).includes('therapist.maxTokens'), 'the window says where it comes from');
    assert((await page.textContent(`${T('composer-meter')} ${T('meter-split')}`)).includes('your message 0'), 'nothing typed counts nothing');
    assert((await page.locator(T('composer-meter-warning')).count()) === 0, 'no warning before anything is typed');
    assert(await page.locator(T('demo-badge')).isHidden(), 'a real Ollama gets no demo badge');
  });

  await check('the model picker lists the installed models with their windows, and choosing one asks the host to set it', async () => {
    await page.click(T('model'));
    await page.waitForSelector(T('model-item'), WAIT);
    const items = await page.locator(T('model-item')).allInnerTexts();
    assert(items.length === 2, `two models: ${items}`);
    assert(/✓ deepseek-coder:6\.7b[\s\S]*16k window · 6\.7B · Q4_0 · 3\.8 GB/.test(items[0]), items[0]);
    assert(/qwen2\.5-coder:7b[\s\S]*32k window/.test(items[1]), items[1]);
    await shoot('dark-model-picker');
    await page.locator(T('model-choose')).nth(1).click();
    // The host confirms (a notice) and redraws the header from the new state.
    await page.waitForFunction(
      () => /therapist\.model is now qwen2\.5-coder:7b/.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ''),
      undefined,
      WAIT,
    );
    assert((await page.textContent(T('model'))) === 'qwen2.5-coder:7b', 'the header names the chosen model');
    const chosen = await page.evaluate(() => window.__sent.filter((m) => m.type === 'request' && m.method === 'chooseModel').map((m) => m.params.model));
    assert(chosen.join() === 'qwen2.5-coder:7b', `chooseModel sent: ${chosen}`);
    assert(await page.locator(T('model-list')).isHidden(), 'the list closes after a choice');
  });

  await check('composing updates the token meter with the per-section split', async () => {
    await page.waitForSelector(T('composer-meter'), WAIT);
    await page.fill(T('prompt-input'), 'x'.repeat(400));
    await page.waitForFunction(() => document.querySelector('[data-testid="meter-summary"]')?.textContent === '220 / 8,192 tokens', undefined, WAIT);
    const split = await page.textContent(`${T('composer-meter')} ${T('meter-split')}`);
    for (const part of ['system prompt 120', 'your message 100', 'code context 0', 'conversation history 0', 'reserved for answer 819'])
      assert(split.includes(part), `split lacks "${part}": ${split}`);
    assert((await page.locator(`${T('composer-meter')} ${T('meter-estimate')}`).count()) === 0, 'exact counts must not be labelled as estimates');
    await page.evaluate(() => (window.__fake.estimated = true));
    await page.fill(T('prompt-input'), 'y'.repeat(400));
    await page.waitForSelector(`${T('composer-meter')} ${T('meter-estimate')}`, WAIT);
    assert((await page.textContent(`${T('composer-meter')} ${T('meter-estimate')}`)) === '≈ estimate', 'estimate label text');
    await page.evaluate(() => (window.__fake.estimated = false));
  });

  await check('Enter sends, Shift+Enter adds a line', async () => {
    const sends = () => page.evaluate(() => window.__sent.filter((m) => m.type === 'send').length);
    const before = await sends();
    const answers = await page.locator(`${T('message')}[data-role="assistant"]`).count();
    await page.fill(T('prompt-input'), 'line one');
    await page.press(T('prompt-input'), 'Shift+Enter');
    await page.type(T('prompt-input'), 'line two');
    assert((await page.inputValue(T('prompt-input'))) === 'line one\nline two', 'Shift+Enter should add a new line');
    assert((await sends()) === before, 'Shift+Enter must not send');
    await page.press(T('prompt-input'), 'Enter');
    await page.waitForFunction((n) => window.__sent.filter((m) => m.type === 'send').length > n, before, WAIT);
    assert((await lastSent('send')).text === 'line one\nline two', 'the whole text is sent');
    assert((await page.inputValue(T('prompt-input'))) === '', 'the box is cleared after sending');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="message"][data-role="assistant"]').length > n, answers, WAIT);
    await waitDone(lastMessage('assistant'));
  });

  await check('an answer streams in, batched, with Stop visible only while streaming', async () => {
    await page.evaluate(() => (window.__fake.tokenDelayMs = 25));
    await send('First question');
    await waitDone(lastMessage('assistant'));
    // Earlier messages must not be redrawn while a later answer streams: mark one and check it survives.
    await page.evaluate(() => {
      document.querySelector('[data-testid="message"]').__kept = true;
      window.__tokenPosts = 0;
      window.addEventListener('message', (e) => e.data?.type === 'streamTokens' && window.__tokenPosts++);
    });
    await send('How do I clamp a number?');
    const answer = lastMessage('assistant');
    await page.waitForSelector(`${T('stop')}:visible`, WAIT);
    assert(await page.isHidden(T('send')), 'Send should be hidden while streaming');
    const lengths = new Set();
    for (let i = 0; i < 40 && (await answer.getAttribute('data-status')) === 'streaming'; i++) {
      lengths.add((await answer.locator(T('message-body')).textContent()).length);
      await page.waitForTimeout(20);
    }
    await waitDone(answer);
    assert(lengths.size >= 2, `expected the text to grow while streaming, saw lengths ${[...lengths]}`);
    assert((await answer.getAttribute('data-status')) === 'done', 'status should be done');
    const { kept, posts } = await page.evaluate(() => ({
      kept: document.querySelector('[data-testid="message"]').__kept === true,
      posts: window.__tokenPosts,
    }));
    assert(kept, 'an earlier message was re-rendered while streaming');
    const draws = Number(await answer.locator(T('message-body')).getAttribute('data-draws'));
    assert(draws >= 1 && draws <= posts, `expected at most one draw per token batch (${posts} batches), saw ${draws}`);
    assert(await page.isHidden(T('stop')), 'Stop should be hidden after the answer');
    const code = await answer.locator('pre code').textContent();
    assert(code.includes('export function clamp('), `code block text: ${code}`);
    assert((await answer.locator('.hljs-keyword').count()) > 0, 'code should be highlighted');
    assert((await lastMessage('user').locator(T('message-meter')).count()) === 1, 'sent message has a meter');
    await page.evaluate(() => (window.__fake.tokenDelayMs = 8));
    await shoot('dark-answer-with-code');
  });

  await check('Explain Selection streams under a message naming the file and lines, prompt folded', async () => {
    const before = await page.locator(`${T('message')}[data-role="assistant"]`).count();
    await page.evaluate(() => window.__fake.explain());
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="message"][data-role="assistant"]').length > n, before, WAIT);
    const user = lastMessage('user');
    assert((await user.locator(T('message-title')).textContent()) === 'Explain src/parser.ts, lines 120-134', 'title names file and lines');
    assert((await user.locator('details summary').textContent()) === 'Prompt sent to the model', 'the prompt is folded');
    assert(!(await user.locator('details').evaluate((d) => d.open)), 'folded by default');
    await waitDone(lastMessage('assistant'));
    await shoot('dark-explain-selection');
  });

  await check('code block Copy and Insert at cursor post the exact code', async () => {
    const answer = lastMessage('assistant');
    const code = await answer.locator('pre code').textContent();
    await answer.locator(T('copy-code')).click();
    await page.waitForFunction(() => window.__sent.some((m) => m.type === 'copyCode'), undefined, WAIT);
    const copy = await lastSent('copyCode');
    assert(copy.code === code, `copied ${JSON.stringify(copy.code)}`);
    await answer.locator(T('insert-code')).click();
    await page.waitForFunction(() => window.__sent.some((m) => m.type === 'insertCode'), undefined, WAIT);
    const insert = await lastSent('insertCode');
    assert(insert.code === code && insert.language === 'ts', `inserted ${JSON.stringify(insert)}`);
    await page.waitForSelector(`${T('notice')}:visible`, WAIT);
  });

  await check('Stop mid-stream keeps the partial answer, marked stopped', async () => {
    await send('Explain everything #slow');
    const answer = lastMessage('assistant');
    await page.waitForFunction((el) => el.textContent.includes('Step 3'), await answer.locator(T('message-body')).elementHandle(), WAIT);
    await shoot('dark-streaming');
    await page.click(T('stop'));
    await waitDone(answer);
    assert((await lastSent('stop')) !== undefined, 'no stop message posted');
    assert((await answer.getAttribute('data-status')) === 'stopped', 'status should be stopped');
    const text = await answer.locator(T('message-body')).textContent();
    assert(text.includes('Step 1') && !text.includes('Step 60'), 'partial text should be kept');
    assert((await answer.locator(T('stopped-marker')).textContent()).includes('partial'), 'stopped marker');
    assert(
      (await answer.locator('[data-streaming]').count()) === 0 && (await answer.locator(T('message-body')).getAttribute('data-streaming')) === null,
      'streaming markers left after stop',
    );
    await shoot('dark-stopped');
  });

  await check('a truncated prompt shows the warning, sections, tokens cut and dropped chunks', async () => {
    await send('Review the parser #truncate');
    const user = lastMessage('user');
    const warning = user.locator(T('truncation-warning'));
    await warning.waitFor(WAIT);
    const text = await warning.textContent();
    for (const part of [
      'WARNING: Input was truncated due to token limits.',
      'Cut: code context, conversation history',
      'Tokens cut: 2,417',
      'Dropped: src/parser.ts:120-260 (1,630 tokens)',
      'Dropped: open editor: util.ts (412 tokens)',
      'Partly dropped: src/parser.ts:1-40 (375 tokens)',
    ]) {
      assert(text.includes(part), `warning lacks "${part}": ${text}`);
    }
    assert((await user.locator(T('message-meter')).getAttribute('data-level')) !== 'ok', 'the meter should show the window is (nearly) full');
    await waitDone(lastMessage('assistant'));
    await user.scrollIntoViewIfNeeded();
    await shoot('dark-truncation');
  });

  await check('a server-side truncation suspicion is shown with both numbers', async () => {
    await send('Summarize #server');
    const notice = lastMessage('user').locator(T('server-truncation-warning'));
    await notice.waitFor(WAIT);
    assert((await notice.textContent()).includes('Sent 5,310 tokens; the model read 2,048.'), 'numbers missing');
  });

  await check('Ollama down shows an error card; Retry posts the action and the answer replaces the card', async () => {
    await send('Hello #unreachable');
    const answer = lastMessage('assistant');
    const card = answer.locator(T('error-card'));
    await card.waitFor(WAIT);
    assert((await card.getAttribute('data-code')) === 'ollama-unreachable', 'error code');
    assert((await card.locator(T('error-message')).textContent()).includes('not reachable'), 'message');
    assert((await card.locator(T('error-advice')).textContent()).includes('ollama serve'), 'advice');
    for (const a of ['retry', 'openSettings', 'openLog']) assert((await card.locator(T(`action-${a}`)).count()) === 1, `no ${a} button`);
    await shoot('dark-error');
    const id = await answer.getAttribute('data-message-id');
    await card.locator(T('action-retry')).click();
    await page.waitForFunction(() => window.__sent.some((m) => m.type === 'action' && m.action === 'retry'), undefined, WAIT);
    const action = await lastSent('action');
    assert(action.messageId === id, `retry should name the failed message, got ${JSON.stringify(action)}`);
    const retried = page.locator(`[data-message-id="${id}"]`);
    await page.waitForFunction((mid) => document.querySelector(`[data-message-id="${mid}"]`)?.dataset.status === 'done', id, WAIT);
    assert((await retried.locator(T('error-card')).count()) === 0, 'the error card should be gone after a successful retry');
  });

  await check('model missing offers Copy pull command, which posts the action', async () => {
    await send('Hi #missing');
    const card = lastMessage('assistant').locator(T('error-card'));
    await card.waitFor(WAIT);
    await card.locator(T('action-copyPullCommand')).click();
    await page.waitForFunction(() => window.__sent.some((m) => m.type === 'action' && m.action === 'copyPullCommand'), undefined, WAIT);
    await page.waitForFunction(() => document.querySelector('[data-testid="notice"]')?.textContent?.includes('ollama pull'), undefined, WAIT);
  });

  await check('hostile model output renders inert: no script, no img, no handlers, no javascript: links', async () => {
    const violations = [];
    await page.exposeFunction('__cspViolation', (v) => violations.push(v));
    await page.evaluate(() => document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(`${e.violatedDirective} ${e.blockedURI}`)));
    await send('Show me #xss');
    const answer = lastMessage('assistant');
    await waitDone(answer);
    await page.waitForTimeout(200);
    const body = answer.locator(T('message-body'));
    const facts = await body.evaluate((el) => ({
      scripts: el.querySelectorAll('script').length,
      imgs: el.querySelectorAll('img').length,
      iframes: el.querySelectorAll('iframe').length,
      handlers: [...el.querySelectorAll('*')].filter((n) => [...n.attributes].some((a) => a.name.startsWith('on'))).length,
      jsLinks: [...el.querySelectorAll('a')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') ?? '')).length,
      text: el.textContent,
    }));
    assert(facts.scripts === 0 && facts.imgs === 0 && facts.iframes === 0, `elements got through: ${JSON.stringify(facts)}`);
    assert(facts.handlers === 0 && facts.jsLinks === 0, `handlers or javascript: links got through: ${JSON.stringify(facts)}`);
    assert(facts.text.includes('<script>window.__xss = "script"</script>'), 'the script tag should be visible as text');
    assert(facts.text.includes('<img src=x onerror='), 'the img tag should be visible as text');
    await body
      .locator('text=bold?')
      .hover()
      .catch(() => undefined);
    assert((await page.evaluate(() => window.__xss)) === undefined, 'window.__xss was set: model output executed');
    assert(violations.length === 0, `CSP violations (something tried inline script/style): ${violations.join('; ')}`);
    await shoot('dark-xss');
  });

  await check("a thinking model's reasoning streams into a collapsed Thinking section above the answer, rendered inert", async () => {
    await send('Clamp it #think');
    const answer = lastMessage('assistant');
    await answer.locator(T('thinking')).waitFor(WAIT);
    await waitDone(answer);
    const section = answer.locator(T('thinking'));
    assert((await section.evaluate((d) => d.open)) === false, 'collapsed by default');
    assert((await section.locator(T('thinking-summary')).textContent()) === 'Thinking', 'summary');
    assert((await section.locator('strong').first().textContent()) === 'clamp', 'the reasoning is markdown');
    assert((await section.locator('img').count()) === 0, 'no image from the reasoning');
    assert((await page.evaluate(() => window.__xss)) !== 'thinking', 'nothing in the reasoning ran');
    assert((await answer.locator(T('message-body')).textContent()).includes('clamp'), 'the answer follows');
    await section.locator(T('thinking-summary')).click();
    assert((await section.evaluate((d) => d.open)) === true, 'opens on click');
    await shoot('dark-thinking');
  });

  await check('no page errors and no blocked inline styles so far', async () => {
    assert(pageErrors.length === 0, pageErrors.join('\n'));
  });

  await check('light and high-contrast themes render from the same variables', async () => {
    for (const theme of ['light', 'high-contrast']) {
      await page.evaluate((t) => (document.body.className = `vscode-${t}`), theme);
      const colors = await page.evaluate(() => ({ bg: getComputedStyle(document.body).backgroundColor, fg: getComputedStyle(document.body).color }));
      assert(colors.bg !== colors.fg, `${theme}: foreground equals background`);
      await page.locator(T('error-card')).first().scrollIntoViewIfNeeded();
      await shoot(`${theme}-error-and-truncation`);
      await page.locator(T('messages')).evaluate((el) => (el.scrollTop = el.scrollHeight));
      await shoot(`${theme}-end`);
    }
    await page.evaluate(() => (document.body.className = 'vscode-dark'));
  });

  await check('New conversation clears the panel and the header total', async () => {
    assert((await page.textContent(T('conversation-total'))) !== '0 tokens used in this conversation', 'total should have grown');
    await page.click(T('new-conversation'));
    await page.waitForSelector(T('empty-state'), WAIT);
    assert((await lastSent('newConversation')) !== undefined, 'no newConversation posted');
    assert((await page.locator(T('message')).count()) === 0, 'messages left');
    assert((await page.textContent(T('conversation-total'))) === '0 tokens used in this conversation', 'total not reset');
    await shoot('dark-empty');
  });
} finally {
  await browser.close();
  await server.close();
}

console.log(`screenshots: ${path.relative(process.cwd(), shots)}/`);
const { failed } = finish();
process.exit(failed ? 1 : 0);
