import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateTherapist, eventually, explainAndWait, select, setSettings, simulatorForSuite, withEditor } from './helpers';

// Token accounting in a real VS Code: the ledger file lives in the extension's global storage.
describe('Token accounting', function () {
  this.timeout(120000);
  const sim = simulatorForSuite('Counted.');

  async function explain(api: Awaited<ReturnType<typeof activateTherapist>>, code: string) {
    return withEditor(code, 'javascript', async (editor) => {
      await select(editor, new vscode.Selection(0, 0, 0, code.length));
      return explainAndWait(api);
    });
  }

  it('records each request, and the dashboard opens showing them', async () => {
    const api = await activateTherapist();
    const before = (await api.tokenUsage()).totals.requests;
    const { result } = await explain(api, 'const total = items.reduce((a, b) => a + b, 0);');
    assert.ok(result && !result.cancelled);
    const usage = await eventually(
      async () => {
        const u = await api.tokenUsage();
        return u.totals.requests === before + 1 ? u : undefined;
      },
      10000,
      'the request in the ledger',
    );
    const latest = [...usage.biggest].sort((a, b) => b.time - a.time)[0];
    assert.equal(latest.command, 'explainSelection');
    assert.equal(latest.model, 'coder:7b');
    assert.equal(latest.outcome, 'ok');
    assert.equal(latest.modelPromptTokens, result!.usage.promptEvalCount, "the model's own prompt count is what was charged");
    assert.ok(usage.days.length >= 1 && usage.models.some((m) => m.key === 'coder:7b'));
    await vscode.commands.executeCommand('therapist.showTokenUsage');
    await eventually(() => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.label === 'Therapist: Token Usage')), 10000, 'the dashboard tab');
  });

  it('a daily quota set low refuses the next Explain Selection before sending, with the numbers and actions', async () => {
    const api = await activateTherapist();
    const used = (await api.tokenUsage()).gauges.find((g) => g.setting === 'therapist.quota.dailyTokens')!.used;
    await setSettings({ 'quota.dailyTokens': used + 20 });
    try {
      await eventually(() => api.getConfig()['quota.dailyTokens'] === used + 20, 10000, 'the quota setting');
      const { error, result } = await explain(api, 'function f() { return 42; }');
      assert.equal(result, undefined);
      assert.ok(error, 'the request was refused');
      assert.equal(error.code, 'quota-exceeded');
      assert.match(error.message, /daily quota/);
      assert.match(error.message, /Nothing was sent/);
      assert.match(error.advice ?? '', /therapist\.quota\.dailyTokens/);
      assert.ok(error.actions?.includes('openSettings'), JSON.stringify(error.actions));
      assert.equal(sim.requests.filter((r) => r.path === '/api/chat').length, 0, 'nothing reached Ollama');
      const usage = await api.tokenUsage();
      assert.ok(usage.totals.refused >= 1, 'the refusal is recorded');
    } finally {
      await setSettings({ 'quota.dailyTokens': undefined });
    }
  });
});
