import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { DEFAULTS } from '../../../src/core/config';
import { EXTENSION_ID, activateTherapist, eventually } from './helpers';

describe('Therapist in a real VS Code', () => {
  it('is not active before a command or view needs it, then activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'extension missing');
    // activation is lazy: package.json activates on our commands/view only, never on '*' or startup
    const events: string[] = ext.packageJSON.activationEvents ?? [];
    assert.ok(!events.includes('*') && !events.includes('onStartupFinished'), `eager activation events: ${events}`);
    await activateTherapist();
    assert.equal(ext.isActive, true);
  });

  it('offers Explain Selection in the editor context menu only when text is selected', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const entries = ext.packageJSON.contributes.menus['editor/context'] as { command: string; when?: string }[];
    const entry = entries.find((e) => e.command === 'therapist.explainSelection');
    assert.ok(entry, 'no editor/context entry');
    assert.equal(entry.when, 'editorHasSelection');
  });

  it('registers all four commands', async () => {
    await activateTherapist();
    const all = await vscode.commands.getCommands(true);
    for (const id of ['therapist.openChat', 'therapist.explainSelection', 'therapist.cancel', 'therapist.showTokenUsage']) {
      assert.ok(all.includes(id), `command ${id} is not registered`);
    }
  });

  it('contributes every setting with its documented default', async () => {
    const config = vscode.workspace.getConfiguration('therapist');
    for (const [key, value] of Object.entries(DEFAULTS)) {
      assert.deepEqual(config.inspect(key)?.defaultValue, value, `default of therapist.${key}`);
    }
    // and nothing undocumented: the manifest's keys are exactly the typed config's keys
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed = Object.keys(ext.packageJSON.contributes.configuration.properties).map((k) => k.replace(/^therapist\./, ''));
    for (const key of Object.keys(DEFAULTS)) assert.ok(contributed.includes(key), `therapist.${key} not contributed`);
  });

  it('sees a changed setting without a reload', async () => {
    const api = await activateTherapist();
    const config = vscode.workspace.getConfiguration('therapist');
    try {
      await config.update('maxTokens', 4096, vscode.ConfigurationTarget.Global);
      await eventually(() => api.getConfig().maxTokens === 4096, 10000, 'maxTokens 4096 seen by the extension');
      await config.update('model', 'qwen2.5-coder:7b', vscode.ConfigurationTarget.Global);
      await eventually(() => api.getConfig().model === 'qwen2.5-coder:7b', 10000, 'model change seen');
    } finally {
      await config.update('maxTokens', undefined, vscode.ConfigurationTarget.Global);
      await config.update('model', undefined, vscode.ConfigurationTarget.Global);
    }
    await eventually(() => api.getConfig().maxTokens === DEFAULTS.maxTokens, 10000, 'maxTokens back to default');
  });
});
