// The first thing a new user does: run "Therapist: Open Chat" from the command palette and see the panel.
import assert from 'node:assert/strict';

export const tests = [
  {
    name: 'Open Chat from the command palette shows the chat panel with its input',
    async run(wb) {
      await wb.runCommand('Therapist: Open Chat');
      await wb.page.locator('.tab', { hasText: 'Therapist' }).first().waitFor({ timeout: 30000 });
      const frame = await wb.webviewFrame('#prompt');
      const input = frame.locator('#prompt');
      await input.waitFor({ state: 'visible' });
      await input.fill('How do I reverse a list in Python?');
      assert.equal(await input.inputValue(), 'How do I reverse a list in Python?');
      const shot = await wb.screenshot('open-chat');
      assert.ok(shot.endsWith('.png'));
    },
  },
];
