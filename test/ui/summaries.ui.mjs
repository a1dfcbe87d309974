// A long conversation in a small window, in the real panel: the earliest turns get summarized in the background,
// the banner says so with the numbers, "Show summary" shows it (the first request verbatim), the next message says
// it went with the summary, and Undo brings the full turns back. Real HTTP to the Ollama simulator, which answers
// summarize requests deterministically.
import assert from 'node:assert/strict';
import { sim } from './workbench.mjs';

const MODEL = 'deepseek-coder:6.7b';
const FIRST = 'Task: make parseConfig in src/config.ts accept comment lines starting with # and keep everything else as it is.';

export const tests = [
  {
    name: 'a long conversation is summarized before the limit: banner with numbers, Show summary, the note on the next message, Undo',
    async run(wb) {
      await sim(wb, 'reset', {});
      // A 1k window (the model's trained context): a few turns fill the history's room.
      await sim(wb, 'models', { name: MODEL, contextLength: 1024, reply: { echo: true, prefix: 'Noted, and here is what I would change: ' } });
      await wb.runCommand('Therapist: Open Chat');
      const frame = await wb.webviewFrame('[data-testid="prompt-input"]');
      await frame.locator('[data-testid="new-conversation"]').click();
      await wb.eventually(async () => (await frame.locator('[data-testid="message"]').count()) === 0, 10000, 'an empty conversation');
      const banner = frame.locator('[data-testid="summary-banner"]');
      let turns = 0;
      for (; turns < 14 && !(await banner.isVisible()); turns++) {
        const text = turns === 0 ? FIRST : `Step ${turns}: we looked at parseConfig and its tests in test/config.test.ts and kept the plan; what next?`;
        await frame.locator('[data-testid="prompt-input"]').fill(text);
        await frame.locator('[data-testid="send"]').click();
        const answer = frame.locator('[data-testid="message"][data-role="assistant"]').last();
        await wb.eventually(async () => (await answer.getAttribute('data-status')) === 'done', 20000, `answer ${turns + 1}`);
        await frame.page().waitForTimeout(300); // the summary is made between turns, in the background
      }
      await banner.waitFor({ state: 'visible', timeout: 20000 });
      const line = await banner.locator('[data-testid="summary-text"]').innerText();
      assert.match(line, /^Earlier turns summarized \(\d+ turns?, [\d,]+ -> [\d,]+ tokens\)/);
      const [, before, after] = /, ([\d,]+) -> ([\d,]+) tokens/.exec(line).map((x) => x?.replace(/,/g, ''));
      assert.ok(Number(after) < Number(before), line);
      const requests = (await sim(wb, 'requests')).requests.filter((r) => r.path === '/api/chat');
      assert.ok(
        requests.some((r) => r.body.messages.some((m) => m.role === 'system' && m.content.includes('[therapist-summary-request'))),
        'a summarize request reached the model',
      );

      // Summaries chain in the background; read the one that is there once none is being made.
      await wb.eventually(async () => !/being prepared/.test(await banner.locator('[data-testid="summary-text"]').innerText()), 20000, 'no summary being made');
      await banner.locator('[data-testid="summary-show"]').click();
      const body = banner.locator('[data-testid="summary-body"]');
      await body.waitFor({ timeout: 5000 });
      const squeeze = (t) => t.replace(/\s+/g, ' ');
      assert.ok(squeeze(await body.innerText()).includes(squeeze(FIRST)), 'the summary keeps the first request verbatim');
      await wb.screenshot('summary-shown');

      // The next question goes with the summary, and its message says so.
      await frame.locator('[data-testid="prompt-input"]').fill('And the error message for a bad line?');
      await frame.locator('[data-testid="send"]').click();
      const lastUser = frame.locator('[data-testid="message"][data-role="user"]').last();
      await wb.eventually(async () => /Earlier turns summarized/.test(await lastUser.innerText()), 20000, 'the note on the sent message');
      const sent = (await sim(wb, 'requests')).requests.filter((r) => r.path === '/api/chat').at(-1);
      assert.ok(
        sent.body.messages.some((m) => m.content.includes('Summary of turns')),
        'the summary was in the prompt',
      );
      assert.ok(sent.promptTokens <= 1024, `the prompt fits (${sent.promptTokens})`);

      await banner.locator('[data-testid="summary-undo"]').click();
      await wb.eventually(async () => /^Undone/.test(await banner.locator('[data-testid="summary-text"]').innerText()), 10000, 'the banner says it was undone');
      assert.equal(await banner.locator('[data-testid="summary-resume"]').innerText(), 'Summarize again');
      await wb.screenshot('summary-undone');
      assert.ok(turns >= 2, `summarized after ${turns} turns`);
    },
  },
];
