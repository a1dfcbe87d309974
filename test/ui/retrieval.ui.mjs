// Retrieved context as a user meets it in the packaged extension: a question about code in a file that is not open
// lists that file's chunk under the answer (file:lines and score), a click opens the file at those lines, and
// "Exclude" keeps the file out of the next answer. Real HTTP to the Ollama simulator; the index runs in the
// .vsix's own worker with its own tree-sitter grammars.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sim } from './workbench.mjs';

const MODEL = 'deepseek-coder:6.7b';
const FILE = 'src/billing/invoices.ts';
const INVOICES = `import type { InvoiceLine } from './types';

/** Sums the lines of an invoice and applies the tax rate once, rounding to whole cents at the end. */
export function computeInvoiceTotal(lines: InvoiceLine[], taxRate: number): number {
  const net = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  const gross = net * (1 + taxRate);
  return Math.round(gross * 100) / 100;
}
`;
const QUESTION = 'How does computeInvoiceTotal apply the tax rate?';

async function lastUserMessageSent(wb) {
  const chats = (await sim(wb, 'requests')).requests.filter((r) => r.path === '/api/chat');
  return chats.at(-1)?.body?.messages?.at(-1)?.content ?? '';
}

/** Asks in a new conversation and returns the answer's element once it is done. */
async function ask(wb, frame, text) {
  await frame.locator('[data-testid="new-conversation"]').click();
  await wb.eventually(async () => (await frame.locator('[data-testid="message"]').count()) === 0, 10000, 'an empty conversation');
  await frame.locator('[data-testid="prompt-input"]').fill(text);
  await frame.locator('[data-testid="send"]').click();
  const answer = frame.locator('[data-testid="message"][data-role="assistant"]').last();
  await wb.eventually(async () => (await answer.getAttribute('data-status')) === 'done', 30000, 'the answer');
  return answer;
}

export const tests = [
  {
    name: 'the answer lists the chunks that went in (file:lines, score); a click opens the file there; Exclude keeps it out',
    async run(wb) {
      await sim(wb, 'reset', {});
      await sim(wb, 'models', { name: MODEL, reply: 'It multiplies the net sum by (1 + taxRate) and rounds to cents.' });
      fs.mkdirSync(path.join(wb.workspace, 'src/billing'), { recursive: true });
      fs.writeFileSync(path.join(wb.workspace, FILE), INVOICES);
      await wb.runCommand('View: Close All Editors');
      await wb.runCommand('Therapist: Open Chat');
      const frame = await wb.webviewFrame('[data-testid="prompt-input"]');
      // The file arrives through the index's file watcher or its first listing, whichever comes first.
      let answer;
      await wb.eventually(
        async () => {
          answer = await ask(wb, frame, QUESTION);
          return (await answer.locator('[data-testid="context-open"]', { hasText: FILE }).count()) > 0;
        },
        60000,
        `${FILE} in the answer's context list`,
      );
      assert.match(await lastUserMessageSent(wb), /export function computeInvoiceTotal\(lines: InvoiceLine\[\], taxRate: number\)/, 'the model got the code');
      const list = answer.locator('[data-testid="context-list"]');
      assert.match(await list.locator('[data-testid="context-summary"]').innerText(), /^Context: \d+ chunks? from \d+ files?/);
      await list.locator('[data-testid="context-summary"]').click();
      const entry = list.locator('[data-testid="context-entry"]', { has: frame.locator('[data-testid="context-open"]', { hasText: FILE }) }).first();
      const label = await entry.locator('[data-testid="context-open"]').innerText();
      // One function, cut along the code's own structure by the grammar shipped in the .vsix.
      assert.match(label, /^src\/billing\/invoices\.ts:\d+-8$/);
      assert.match(await entry.locator('[data-testid="context-score"]').innerText(), /^score 0\.0\d\d$/);
      assert.equal(await entry.getAttribute('data-status'), 'sent');
      await wb.screenshot('retrieval-context-list');

      await entry.locator('[data-testid="context-open"]').click();
      await wb.eventually(
        async () => (await wb.page.locator('.tabs-container .tab.active', { hasText: 'invoices.ts' }).count()) > 0,
        15000,
        'the file open in an editor',
      );
      const start = Number(/:(\d+)-/.exec(label)[1]);
      await wb.eventually(
        async () => new RegExp(`Ln ${start}, Col 1`).test(await wb.page.locator('.statusbar').innerText()),
        10000,
        `the cursor on line ${start}`,
      );
      await wb.screenshot('retrieval-opened-file');

      await entry.locator('[data-testid="context-exclude"]').click();
      await wb.eventually(
        async () => /is excluded in this conversation/.test(await frame.locator('[data-testid="notice"]').innerText()),
        10000,
        'the confirmation',
      );
      // Excluding holds for the conversation it was made in: ask again there.
      const answers = frame.locator('[data-testid="message"][data-role="assistant"]');
      await frame.locator('[data-testid="prompt-input"]').fill(QUESTION);
      await frame.locator('[data-testid="send"]').click();
      const again = answers.nth(1);
      await wb.eventually(async () => (await answers.count()) === 2 && (await again.getAttribute('data-status')) === 'done', 30000, 'the second answer');
      await wb.eventually(async () => (await again.locator('[data-testid="context-list"]').count()) > 0, 10000, "the second answer's context list");
      assert.doesNotMatch(await lastUserMessageSent(wb), /export function computeInvoiceTotal/, 'the excluded file was not sent');
      await again.locator('[data-testid="context-summary"]').click();
      assert.equal(await again.locator('[data-testid="context-open"]', { hasText: FILE }).count(), 0);
      assert.match(await again.locator('[data-testid="context-pins"]').innerText(), /Excluded: src\/billing\/invoices\.ts/);
      await wb.screenshot('retrieval-excluded');
      await again.locator('[data-testid="context-include"]').click();
      await wb.runCommand('View: Close All Editors');
    },
  },
];
