// "Therapist: Show Token Usage" after the chat tests made requests: the dashboard draws its charts
// (uPlot canvases), lists the requests, and exports CSV into a new editor.
import assert from 'node:assert/strict';

export const tests = [
  {
    name: 'the token usage dashboard renders its charts, gauges and biggest requests, and exports CSV',
    async run(wb) {
      await wb.runCommand('Therapist: Show Token Usage');
      const frame = await wb.webviewFrame('[data-testid="totals"]');
      const totals = await frame.locator('[data-testid="totals"]').innerText();
      const requests = Number(/([\d,]+)\s*Requests/.exec(totals)?.[1].replace(/,/g, ''));
      assert.ok(requests >= 4, `the chat tests' requests are counted (${requests}): ${totals}`);
      await wb.eventually(async () => (await frame.locator('.uplot canvas').count()) >= 2, 15000, 'two uPlot charts');
      for (const canvas of await frame.locator('.uplot canvas').all()) {
        const box = await canvas.boundingBox();
        assert.ok(box && box.width > 200 && box.height > 100, `a chart has a real size: ${JSON.stringify(box)}`);
      }
      assert.ok((await frame.locator('[data-testid="biggest"] tbody tr').count()) >= 1, 'biggest requests listed');
      assert.match(await frame.locator('[data-testid="conversations"]').innerText(), /How do I reverse a list in Python\?/, 'conversations are titled');
      assert.match(await frame.locator('[data-testid="gauges"]').innerText(), /Today/);
      assert.match(await frame.locator('[data-testid="biggest"]').innerText(), /deepseek-coder:6\.7b/);
      await wb.screenshot('dashboard');
      // a hover tooltip left over from an earlier click on a tab must not cover the button
      await wb.page.mouse.move(700, 600);
      await frame.locator('[data-testid="export-csv"]').click();
      // the export opens as a new untitled editor
      await wb.eventually(
        async () =>
          /^id,|,outcome/.test(
            await wb.page
              .locator('.monaco-editor .view-lines')
              .first()
              .innerText()
              .catch(() => ''),
          ),
        15000,
        'the CSV editor',
      );
      await wb.screenshot('dashboard-export');
    },
  },
];
