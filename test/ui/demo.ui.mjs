// `npm run demo` as a newcomer runs it from the README: the script starts the demo server and a real VS Code, the
// chat says it talks to a demo server, answers stream with a collapsed Thinking section, the meter counts with the
// model's own tokenizer, the model picker switches to the 1k-window demo model (counted with the labelled estimate),
// and a long paste is warned about before sending and reported after. Runs the real script, in its own code-server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Workbench } from './workbench.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Starts `npm run demo`'s script and resolves with its URL and a stop function. */
async function startDemo() {
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts/demo.mjs')], {
    cwd: ROOT,
    env: { ...process.env, THERAPIST_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run demo printed no URL in 120 s:\n${output}`)), 120_000);
    const scan = (d) => {
      output += d;
      const m = /^\s+(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)$/m.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', scan);
    child.stderr.on('data', scan);
    child.on('exit', (code) => reject(new Error(`npm run demo exited (${code}):\n${output}`)));
  });
  return {
    url,
    output: () => output,
    async stop() {
      child.kill('SIGINT'); // the script's own clean-up: simulator, code-server, the workspace copy
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    },
  };
}

export const tests = [
  {
    name: 'npm run demo: a labelled demo server, streaming answers, the model picker and a truncation notice, without Ollama',
    async run(wb) {
      const demo = await startDemo();
      const context = await wb.page
        .context()
        .browser()
        .newContext({ viewport: { width: 1400, height: 900 } });
      try {
        const page = await context.newPage();
        await page.goto(demo.url);
        const dw = new Workbench(page, { screenshotDir: wb.screenshotDir });
        await dw.ready();
        await dw.runCommand('Therapist: Open Chat');
        const frame = await dw.webviewFrame('[data-testid="prompt-input"]');
        await dw.eventually(
          async () => (await frame.locator('[data-testid="demo-badge"]').innerText()) === 'demo server: canned answers, not a model',
          20000,
          'the demo badge in the header',
        );
        assert.equal(await frame.locator('[data-testid="model"]').innerText(), 'demo-coder:7b');

        await frame.locator('[data-testid="prompt-input"]').fill('How does the token bucket refill?');
        // demo-coder:7b has a real (Qwen3) vocabulary: while the user types, its tokenizer loads in the background
        // and the meter says the count is the model's own.
        await dw.eventually(
          async () =>
            /^counted with qwen2 \(exact\)$/.test(
              await frame
                .locator('[data-testid="composer-meter"] [data-testid="meter-tokenizer"]')
                .innerText()
                .catch(() => ''),
            ),
          30000,
          "the meter counts with the model's own tokenizer",
        );
        await frame.locator('[data-testid="send"]').click();
        const answer = frame.locator('[data-testid="message"][data-role="assistant"]').last();
        await dw.eventually(async () => (await answer.getAttribute('data-status')) === 'done', 30000, 'the canned answer streamed to the end');
        assert.match(await answer.innerText(), /Demo server: a canned answer, not written by a model\./);
        const sent = frame.locator('[data-testid="message"][data-role="user"]').last().locator('[data-testid="message-meter"]');
        assert.match(await sent.innerText(), /model read the same/, 'what Therapist counted is what the model read');
        // A thinking model: the reasoning sits in a collapsed section above the answer.
        const thinking = answer.locator('[data-testid="thinking"]');
        assert.equal(await thinking.getAttribute('open'), null, 'the Thinking section starts collapsed');
        await thinking.locator('[data-testid="thinking-summary"]').click();
        assert.match(await thinking.locator('[data-testid="thinking-body"]').innerText(), /Demo reasoning, canned like the answer/);
        await frame.locator('[data-testid="prompt-input"]').fill('And where is the bucket emptied?');
        await dw.eventually(
          async () =>
            /your message [1-9]/.test(
              await frame
                .locator('[data-testid="composer-meter"] [data-testid="meter-split"]')
                .innerText()
                .catch(() => ''),
            ),
          20000,
          'the meter counts the next question',
        );
        await dw.screenshot('demo');

        // The model picker, in the real workbench: both demo models with their windows; switch to the 1k one.
        await frame.locator('[data-testid="model"]').click();
        await frame.locator('[data-testid="model-item"]').first().waitFor({ timeout: 15000 });
        const items = await frame.locator('[data-testid="model-item"]').allInnerTexts();
        assert.ok(
          items.some((t) => /✓ demo-coder:7b[\s\S]*16k window/.test(t)) && items.some((t) => /demo-small:1b[\s\S]*1k window/.test(t)),
          items.join(' | '),
        );
        await dw.screenshot('demo-model-picker');
        await frame.locator('[data-testid="model-item"][data-model="demo-small:1b"] [data-testid="model-choose"]').click();
        await dw.eventually(
          async () => (await frame.locator('[data-testid="model"]').innerText()) === 'demo-small:1b',
          20000,
          'the header names the chosen model',
        );
        await dw.eventually(
          async () => (await frame.locator('[data-testid="window"]').innerText()) === '1k window',
          20000,
          'the effective window follows the model',
        );
        await frame.locator('[data-testid="prompt-input"]').fill('Short question.');
        await dw.eventually(
          async () =>
            /^counted with cl100k estimate x\d\.\d\d$/.test(
              await frame
                .locator('[data-testid="composer-meter"] [data-testid="meter-tokenizer"]')
                .innerText()
                .catch(() => ''),
            ),
          30000,
          'a model without a readable tokenizer is counted with the labelled estimate',
        );

        // A long paste into the 1k window: the meter warns before sending, the notice reports after.
        const paste = Array.from({ length: 120 }, (_, i) => `Line ${i}: the rate limiter refills its bucket here and takes tokens there.`).join('\n');
        await frame.locator('[data-testid="prompt-input"]').fill(paste);
        await dw.eventually(
          async () =>
            /Too long for the window: sending this/.test(
              await frame
                .locator('[data-testid="composer-meter-warning"]')
                .innerText()
                .catch(() => ''),
            ),
          20000,
          'the meter warning',
        );
        await frame.locator('[data-testid="send"]').click();
        const cut = frame.locator('[data-testid="message"][data-role="user"]').last().locator('[data-testid="truncation-warning"]');
        await cut.waitFor({ timeout: 30000 });
        assert.match(await cut.innerText(), /cut to fit the 1,024-token window/);
        await dw.screenshot('demo-truncated');
      } finally {
        await context.close();
        await demo.stop();
      }
      assert.ok(
        !fs.existsSync(/folder=([^&]+)/.exec(demo.url) ? decodeURIComponent(/folder=([^&]+)/.exec(demo.url)[1]) : '/nonexistent'),
        'the demo removed its workspace copy',
      );
    },
  },
];
