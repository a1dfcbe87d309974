// The chat panel as a user meets it in a real VS Code workbench: type, watch the answer stream, stop it,
// hit the window limit, lose Ollama, and receive hostile model output. Real HTTP to the Ollama simulator.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sim } from './workbench.mjs';

const MODEL = 'deepseek-coder:6.7b'; // therapist.model's default: a new user's setup

const chatRequests = async (wb) => (await sim(wb, 'requests')).requests.filter((r) => r.path === '/api/chat');

/** Opens the chat (or brings it forward), starts a new conversation, and returns the webview frame. */
async function freshChat(wb) {
  await wb.runCommand('Therapist: Open Chat');
  const frame = await wb.webviewFrame('[data-testid="prompt-input"]');
  await frame.locator('[data-testid="new-conversation"]').click();
  await wb.eventually(async () => (await frame.locator('[data-testid="message"]').count()) === 0, 10000, 'an empty conversation');
  return frame;
}

async function send(frame, text) {
  const input = frame.locator('[data-testid="prompt-input"]');
  await input.fill(text);
  await frame.locator('[data-testid="send"]').click();
}

const lastAssistant = (frame) => frame.locator('[data-testid="message"][data-role="assistant"]').last();

export const tests = [
  {
    name: 'a typed question streams its answer into the panel, rendered as markdown with a highlighted code block',
    async run(wb) {
      await sim(wb, 'reset', {});
      await sim(wb, 'models', {
        name: MODEL,
        contextLength: 16384,
        tokensPerSecond: 25,
        reply: 'Use slicing:\n\n```python\nitems = [1, 2, 3]\nprint(items[::-1])\n```\n\nThat returns a **new** reversed list.',
      });
      const frame = await freshChat(wb);
      await send(frame, 'How do I reverse a list in Python?');
      const answer = lastAssistant(frame);
      // while streaming: the message says so and text grows
      await wb.eventually(async () => (await answer.getAttribute('data-status')) === 'streaming', 15000, 'streaming to start');
      const partial = await answer.locator('[data-testid="message-body"]').innerText();
      await wb.screenshot('chat-streaming');
      await wb.eventually(async () => (await answer.getAttribute('data-status')) === 'done', 30000, 'the answer to finish');
      const body = answer.locator('[data-testid="message-body"]');
      const full = await body.innerText();
      assert.ok(full.length > partial.length, `the text grew while streaming (${partial.length} -> ${full.length})`);
      assert.match(full, /That returns a new reversed list\./);
      assert.equal(await body.locator('strong').innerText(), 'new');
      assert.equal(await answer.locator('[data-testid="code-block"]').count(), 1);
      assert.ok(
        (await answer.locator('[data-testid="code-block"] .hljs-built_in, [data-testid="code-block"] .hljs-number').count()) > 0,
        'the code is highlighted',
      );
      const meter = frame.locator('[data-testid="message"][data-role="user"] [data-testid="message-meter"]').last();
      assert.match(await meter.locator('[data-testid="meter-summary"]').innerText(), /\d[\d,.k]* \/ \d[\d,.k]* tokens/);
      const [req] = await chatRequests(wb);
      assert.equal(req.numCtx, 8192, 'num_ctx = therapist.maxTokens (the model is trained for 16k)');
      // the status bar item shows the last request's usage against the window
      const status = await wb.page.locator('.statusbar-item', { hasText: 'Therapist:' }).first().innerText();
      assert.match(status, /Therapist: \d+(\.\d)?k?\/8k/);
      await wb.screenshot('chat-answer');
    },
  },
  {
    name: '"Insert at cursor" puts a code block from the answer into the editor the user was working in',
    async run(wb) {
      await sim(wb, 'reset', {});
      await sim(wb, 'models', { name: MODEL, reply: 'Add this:\n\n```python\ndef reverse(items):\n    return items[::-1]\n```\n' });
      fs.writeFileSync(path.join(wb.workspace, 'insert_target.py'), '# helpers\n');
      await wb.runCommand('Go to File...');
      await wb.page.keyboard.type('insert_target.py');
      await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'insert_target.py' }).first().waitFor({ timeout: 15000 });
      await wb.page.keyboard.press('Enter');
      const editor = wb.page.locator('.part.editor .monaco-editor').first();
      // Monaco draws spaces as no-break spaces
      const editorText = async () => (await editor.locator('.view-lines').innerText()).replace(/\u00a0/g, ' ');
      await wb.eventually(async () => /# helpers/.test(await editorText()), 15000, 'the file in an editor');
      await editor.locator('.view-lines').click();
      await wb.page.keyboard.press('Control+End');
      const frame = await freshChat(wb);
      await send(frame, 'Write a reverse helper');
      const answer = lastAssistant(frame);
      await wb.eventually(async () => (await answer.getAttribute('data-status')) === 'done', 20000, 'the answer');
      await answer.locator('[data-testid="insert-code"]').click();
      await wb.eventually(async () => /def reverse\(items\):[\s\S]*return items\[::-1\]/.test(await editorText()), 15000, 'the code in the editor');
      assert.match(await editorText(), /# helpers/, 'inserted, not replaced');
      await wb.screenshot('chat-insert-at-cursor');
      await wb.runCommand('View: Revert and Close Editor');
    },
  },
  {
    name: 'Stop cancels mid-stream, keeps the partial answer marked as stopped, and the server stops generating',
    async run(wb) {
      await sim(wb, 'reset', {});
      await sim(wb, 'models', { name: MODEL, tokensPerSecond: 20, reply: 'This is a long answer that keeps going. '.repeat(60) });
      const frame = await freshChat(wb);
      await send(frame, 'Tell me everything about closures.');
      const answer = lastAssistant(frame);
      await wb.eventually(async () => (await answer.locator('[data-testid="message-body"]').innerText()).length > 40, 20000, 'some text to arrive');
      await frame.locator('[data-testid="stop"]').click();
      await wb.eventually(async () => (await answer.getAttribute('data-status')) === 'stopped', 10000, 'the stopped status');
      assert.equal(await answer.locator('[data-testid="stopped-marker"]').count(), 1);
      const kept = await answer.locator('[data-testid="message-body"]').innerText();
      assert.ok(kept.length > 40 && kept.length < 'This is a long answer that keeps going. '.repeat(60).length, 'partial text kept');
      await wb.eventually(async () => (await chatRequests(wb))[0]?.clientDisconnected === true, 10000, 'the simulator to see the disconnect');
      await wb.screenshot('chat-stopped');
    },
  },
  {
    name: 'a question too long for the window shows the meter warning before sending and the cut notice after',
    async run(wb) {
      await sim(wb, 'reset', {});
      await sim(wb, 'models', { name: MODEL, reply: 'I read the part that fitted.' });
      await wb.setSetting('therapist.maxTokens', 1024);
      try {
        const frame = await freshChat(wb);
        await wb.eventually(async () => /1k|1,024/.test(await frame.locator('[data-testid="window"]').innerText()), 15000, 'the header to show the 1k window');
        const long = Array.from({ length: 400 }, (_, i) => `Line ${i}: please review this function call handleRequest(${i}) carefully.`).join('\n');
        await frame.locator('[data-testid="prompt-input"]').fill(long);
        await wb.eventually(
          async () =>
            (await frame.locator('[data-testid="composer-meter-warning"]').count()) > 0 &&
            (await frame.locator('[data-testid="composer-meter-warning"]').isVisible()),
          15000,
          'the composer warning',
        );
        await wb.screenshot('chat-meter-warning');
        await frame.locator('[data-testid="send"]').click();
        await wb.eventually(async () => (await lastAssistant(frame).getAttribute('data-status')) === 'done', 30000, 'the answer');
        const notice = frame.locator('[data-testid="truncation-warning"]').last();
        await notice.waitFor({ timeout: 10000 });
        const text = await notice.locator('[data-testid="truncation-text"]').innerText();
        assert.match(text, /WARNING: Input was truncated due to token limits\. Truncated sections: .*your message/);
        assert.match(text, /Consider reducing context or breaking down your request\./);
        const [req] = await chatRequests(wb);
        assert.equal(req.numCtx, 1024);
        assert.equal(req.truncated, false, 'Ollama did not need to cut anything: we did, and said so');
        await wb.screenshot('chat-truncated');
      } finally {
        await wb.setSetting('therapist.maxTokens', 8192);
      }
    },
  },
  {
    name: 'Ollama unreachable shows the plain-words error with Retry, and Retry works once Ollama is back',
    async run(wb) {
      await sim(wb, 'reset', {});
      await sim(wb, 'models', { name: MODEL, reply: 'Back online.' });
      await wb.setSetting('therapist.ollamaUrl', 'http://127.0.0.1:9');
      try {
        const frame = await freshChat(wb);
        await send(frame, 'Are you there?');
        const card = frame.locator('[data-testid="error-card"]').last();
        await card.waitFor({ timeout: 30000 });
        assert.match(await card.locator('[data-testid="error-message"]').innerText(), /Ollama is not reachable at http:\/\/127\.0\.0\.1:9/);
        assert.match(await card.innerText(), /ollama serve/);
        assert.equal(await card.locator('[data-testid="action-retry"]').count(), 1);
        assert.equal(await card.locator('[data-testid="action-openSettings"]').count(), 1);
        await wb.screenshot('chat-ollama-down');
        await wb.setSetting('therapist.ollamaUrl', wb.simulatorUrl);
        await wb.runCommand('Therapist: Open Chat');
        await card.locator('[data-testid="action-retry"]').click();
        await wb.eventually(async () => /Back online\./.test(await lastAssistant(frame).innerText()), 20000, 'the retried answer');
      } finally {
        await wb.setSetting('therapist.ollamaUrl', wb.simulatorUrl);
      }
    },
  },
  {
    name: 'the panel and its conversation come back after the window reloads',
    async run(wb) {
      await sim(wb, 'reset', {});
      await sim(wb, 'models', { name: MODEL, reply: 'Remember me after a reload.' });
      const frame = await freshChat(wb);
      await send(frame, 'Will you still be here?');
      await wb.eventually(async () => (await lastAssistant(frame).getAttribute('data-status')) === 'done', 20000, 'the answer');
      await wb.page.waitForTimeout(500); // the conversation is saved after each message
      await wb.page.reload();
      await wb.ready();
      // no command: the serializer restores the panel on its own
      const restored = await wb.webviewFrame('[data-testid="message"]', 60000);
      await wb.eventually(async () => /Remember me after a reload\./.test(await lastAssistant(restored).innerText()), 20000, 'the restored answer');
      assert.match(await restored.locator('[data-testid="message"][data-role="user"]').last().innerText(), /Will you still be here\?/);
      await wb.screenshot('chat-restored');
    },
  },
  {
    name: 'hostile model output (<script>, <img onerror>) renders as inert text',
    async run(wb) {
      await sim(wb, 'reset', {});
      await sim(wb, 'models', { name: MODEL, reply: 'Here: <img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script> and `<b>code</b>`' });
      const frame = await freshChat(wb);
      await send(frame, 'Show me some HTML');
      const answer = lastAssistant(frame);
      await wb.eventually(async () => (await answer.getAttribute('data-status')) === 'done', 20000, 'the answer');
      const body = answer.locator('[data-testid="message-body"]');
      assert.equal(await body.locator('script').count(), 0, 'no script element');
      assert.equal(await body.locator('img[onerror]').count(), 0, 'no img with onerror');
      assert.equal(await frame.evaluate(() => window.__pwned), undefined, 'nothing ran');
      assert.match(await body.innerText(), /<b>code<\/b>/, 'inline code shows the tags as text');
      await wb.screenshot('chat-xss');
    },
  },
];
