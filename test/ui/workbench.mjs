// Helpers for driving the real VS Code workbench (code-server) in Chromium, the way a user does:
// the command palette, editors, and the webview that lives in nested iframes.
import fs from 'node:fs';
import path from 'node:path';

/** Calls the Ollama simulator's control API (GET without a body, POST with one) and returns its JSON. */
export async function sim(wb, route, body) {
  const res = await fetch(`${wb.simulatorUrl}/__sim/${route}`, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`simulator ${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

export class Workbench {
  constructor(page, { screenshotDir }) {
    this.page = page;
    this.screenshotDir = screenshotDir;
  }

  /** Waits until the workbench has rendered and the extension host is up. */
  async ready() {
    await this.page.waitForSelector('.monaco-workbench', { timeout: 90000 });
    // the status bar shows up once the workbench has restored its parts
    await this.page.waitForSelector('.statusbar', { timeout: 60000 });
  }

  /** Runs a command from the command palette by its title, as a user would. */
  async runCommand(title) {
    const page = this.page;
    // A cold workbench can open the palette before it has indexed every command: look again once.
    for (let attempt = 1; ; attempt++) {
      // Keys typed while a webview (an iframe) has focus may not reach the palette: give focus back to the workbench.
      await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 15000 });
      await input.fill(`>${title}`);
      // The exact label, not the first fuzzy match: "Close Editor" also matches a recently used "Close All Editor Groups".
      const label = new RegExp(`^\\s*${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
      const row = page
        .locator('.quick-input-list .monaco-list-row')
        .filter({ has: page.locator('.label-name', { hasText: label }) })
        .first();
      try {
        await row.waitFor({ timeout: 10000 });
      } catch (e) {
        if (attempt >= 3) throw e;
        continue;
      }
      await row.click();
      return;
    }
  }

  /**
   * Changes a user setting in the Settings editor, as a user does (code-server does not notice a settings.json
   * written behind its back), then closes the editor.
   */
  async setSetting(key, value) {
    const page = this.page;
    await this.runCommand('Preferences: Open User Settings');
    await page.locator('.settings-editor').waitFor({ timeout: 15000 });
    await page.waitForTimeout(300); // the search box takes focus once the editor has rendered
    await page.keyboard.press('Control+A');
    await page.keyboard.type(key);
    const row = page.locator(`.settings-editor .setting-item-contents[data-key="${key}"]`).first();
    await row.waitFor({ timeout: 15000 });
    if (typeof value === 'boolean') {
      const box = row.locator('.setting-value-checkbox');
      if ((await box.getAttribute('aria-checked')) !== String(value)) await box.click();
    } else {
      // Real keystrokes: the Settings editor ignores a programmatic fill and puts the old value back on blur.
      await row.locator('input.input').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type(String(value));
    }
    await page.waitForTimeout(1200); // the Settings editor writes after a debounce
    await this.runCommand('View: Close Editor');
  }

  /** The frame (inside iframe.webview -> iframe#active-frame) that contains `selector`, polled for up to `ms`. */
  async webviewFrame(selector, ms = 30000) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame()) continue;
        try {
          if (await frame.locator(selector).count()) return frame;
        } catch {
          /* frame navigated or detached while we looked */
        }
      }
      await this.page.waitForTimeout(200);
    }
    throw new Error(`no webview frame with ${selector} after ${ms} ms`);
  }

  /** Saves a screenshot of the whole workbench to .test-output/screenshots/<name>.png and returns its path. */
  async screenshot(name) {
    fs.mkdirSync(this.screenshotDir, { recursive: true });
    const file = path.join(this.screenshotDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Polls `check` until it is truthy. */
  async eventually(check, ms = 15000, what = 'condition') {
    const end = Date.now() + ms;
    let last;
    while (Date.now() < end) {
      try {
        last = await check();
        if (last) return last;
      } catch (e) {
        last = e.message;
      }
      await this.page.waitForTimeout(200);
    }
    throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
  }
}
