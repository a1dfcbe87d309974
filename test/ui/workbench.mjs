// Helpers for driving the real VS Code workbench (code-server) in Chromium, the way a user does:
// the command palette, editors, and the webview that lives in nested iframes.
import fs from 'node:fs';
import path from 'node:path';

export class Workbench {
  constructor(page, { screenshotDir, settingsFile }) {
    this.page = page;
    this.screenshotDir = screenshotDir;
    this.settingsFile = settingsFile;
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
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: 20000 });
    await page.keyboard.press('Enter');
  }

  /** The frame (inside iframe.webview -> iframe#active-frame) that contains `selector`, polled for up to `ms`. */
  async webviewFrame(selector, ms = 30000) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame()) continue;
        try {
          if (await frame.locator(selector).count()) return frame;
        } catch { /* frame navigated or detached while we looked */ }
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

  /** Changes user settings the way settings.json edits do; VS Code picks the file change up live. */
  updateSettings(changes) {
    const current = JSON.parse(fs.readFileSync(this.settingsFile, 'utf8'));
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined) delete current[k];
      else current[k] = v;
    }
    fs.writeFileSync(this.settingsFile, JSON.stringify(current, null, 2));
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
