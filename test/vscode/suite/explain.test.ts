import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { noticeOf } from '../../../src/shared/notices';
import { activateTherapist, eventually, explainAndWait, nextOutcome, select, setSettings, simulatorForSuite, withEditor } from './helpers';

// Explain Selection end to end inside a real VS Code: the real extension, real settings, real HTTP to a
// server that behaves like Ollama.
describe('Explain Selection against the Ollama simulator', function () {
  this.timeout(120000);
  const sim = simulatorForSuite('It adds two numbers.');

  it('sends one request whose num_ctx is the effective window and whose prompt fits the budget', async () => {
    const api = await activateTherapist();
    const code = ['function add(a, b) {', '  return a + b;', '}', '', 'module.exports = { add };'].join('\n');
    await withEditor(code, 'javascript', async (editor) => {
      await select(editor, new vscode.Selection(0, 0, 2, 1));
      const { result, error } = await explainAndWait(api);
      assert.equal(error, undefined, `request failed: ${JSON.stringify(error)}`);
      assert.ok(result);
      assert.equal(result.text, 'It adds two numbers.');
      assert.equal(result.truncated, false);
      assert.ok(result.usage.total + result.usage.completionReserve <= result.usage.limit, JSON.stringify(result.usage));
    });
    const chats = sim.requests.filter((r) => r.path === '/api/chat');
    assert.equal(chats.length, 1, 'exactly one chat request');
    assert.equal(chats[0].numCtx, 4096, 'num_ctx = min(maxTokens 4096, trained 16384)');
    assert.equal(typeof chats[0].numPredict, 'number');
    assert.equal(chats[0].truncated, false, 'Ollama did not have to cut anything');
    const messages = (chats[0].body as { messages: { role: string; content: string }[] }).messages;
    const user = messages[messages.length - 1];
    assert.equal(user.role, 'user');
    assert.match(user.content, /return a \+ b;/);
    assert.match(user.content, /lines 1-3/);
  });

  it('cuts a huge file by relevance and says so, and still fits the window', async () => {
    const api = await activateTherapist();
    const lines = Array.from({ length: 4000 }, (_, i) => `const value${i} = compute(${i}, "some padding text to make the file big");`);
    await withEditor(lines.join('\n'), 'javascript', async (editor) => {
      await select(editor, new vscode.Selection(2000, 0, 2002, 0));
      const { result, error } = await explainAndWait(api);
      assert.equal(error, undefined, JSON.stringify(error));
      assert.ok(result!.truncated, 'the context was truncated');
      assert.ok(result!.truncatedSections.includes('context'), JSON.stringify(result!.truncatedSections));
      const cut = noticeOf(result!.notices, 'truncated');
      assert.ok(cut?.sections.includes('context') && cut.droppedChunks.length === result!.droppedChunks.length, JSON.stringify(result!.notices));
      assert.ok(result!.droppedChunks.length > 0, 'dropped chunks are reported');
      assert.ok(result!.usage.total + result!.usage.completionReserve <= result!.usage.limit);
    });
    const chat = sim.requests.find((r) => r.path === '/api/chat')!;
    assert.equal(chat.truncated, false, 'Ollama never had to truncate: we cut first');
    const user = (chat.body as { messages: { content: string }[] }).messages.at(-1)!.content;
    assert.match(user, /value2000 = compute\(2000/, 'the selection itself was kept');
  });

  it('when the server has less room than asked for, it refuses (never cuts), and the resend fits the window it has', async () => {
    const api = await activateTherapist();
    const code = Array.from({ length: 300 }, (_, i) => `export function step${i}(input: number): number { return input * ${i} + ${i % 7}; }`).join('\n');
    await withEditor(code, 'typescript', async (editor) => {
      // First request: Therapist learns the model's facts (trained 16k, so the window is therapist.maxTokens 4096).
      await select(editor, new vscode.Selection(150, 0, 151, 0));
      assert.equal((await explainAndWait(api)).error, undefined);
      // Then the server runs the model with a smaller window than asked for (a memory limit): with truncate:false
      // it refuses the prompt and says how much room it has; Therapist plans for that and sends again.
      sim.configureModel({ name: 'coder:7b', loadedWindowCap: 1024 });
      await fetch(`${sim.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: 'coder:7b', keep_alive: 0 }) });
      const before = sim.requests.length;
      const { result, error } = await explainAndWait(api);
      assert.equal(error, undefined, JSON.stringify(error));
      const chats = sim.requests.slice(before).filter((r) => r.path === '/api/chat');
      assert.deepEqual(
        chats.map((r) => [r.status, r.numCtx, r.truncated ?? false]),
        [
          [400, 4096, false],
          [200, 4096, false],
        ],
        'refused once, then the resend fit; num_ctx unchanged (no reload), nothing cut by the server',
      );
      assert.ok(noticeOf(result!.notices, 'retried'), JSON.stringify(result!.notices));
      assert.equal(result!.usage.limit, 1024, 'planned for the window the server has');
      assert.equal(result!.serverTruncationSuspected, false);
    });
    sim.configureModel({ name: 'coder:7b', loadedWindowCap: 1_000_000 });
    await fetch(`${sim.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: 'coder:7b', keep_alive: 0 }) });
    await withEditor('const x = 1;', 'javascript', async (editor) => {
      await select(editor, new vscode.Selection(0, 0, 0, 12));
      await explainAndWait(api);
    });
  });

  it('answers beside the code it explains, never over it, even when the chat was opened before any file', async () => {
    const api = await activateTherapist();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('therapist.openChat'); // no editor yet: the chat takes the first group
    await eventually(() => chatTab(), 10000, 'the chat tab');
    await withEditor('const answer = 42;', 'javascript', async (editor) => {
      await select(editor, new vscode.Selection(0, 0, 0, 18));
      await explainAndWait(api);
      const codeGroup = () =>
        vscode.window.tabGroups.all.find((g) =>
          g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === editor.document.uri.toString()),
        );
      const layout = () =>
        vscode.window.tabGroups.all.map((g) => `${g.viewColumn}: ${g.tabs.map((t) => `${t.label}${t.isActive ? '*' : ''}`).join(', ')}`).join(' | ');
      // tabGroups catches up a moment after a panel opens: poll
      const chat = await eventually(
        () => {
          const tab = chatTab();
          return tab && tab.group.viewColumn !== codeGroup()?.viewColumn ? tab : undefined;
        },
        10000,
        'the chat beside the code',
      ).catch((e) => assert.fail(`${e.message}; layout: ${layout()}`));
      const code = codeGroup()!;
      assert.equal(chat.isActive, true, 'the answer is visible in its group');
      assert.equal(code.activeTab?.input instanceof vscode.TabInputText, true, 'the code is still visible in its group');
    });
  });

  it('says so when nothing is selected, and sends nothing', async () => {
    await withEditor('const x = 1;', 'javascript', async (editor) => {
      await select(editor, new vscode.Selection(0, 0, 0, 0));
      assert.equal(await vscode.commands.executeCommand<boolean>('therapist.explainSelection'), false, 'the command says it sent nothing');
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sim.requests.filter((r) => r.path === '/api/chat').length, 0);
  });

  it('applies a new maxTokens on the next request without a reload', async () => {
    const api = await activateTherapist();
    await setSettings({ maxTokens: 2048 });
    await eventually(() => api.getConfig().maxTokens === 2048, 10000, 'maxTokens 2048');
    await withEditor('let answer = 42;\nconsole.log(answer);', 'javascript', async (editor) => {
      await select(editor, new vscode.Selection(0, 0, 0, 16));
      assert.equal((await explainAndWait(api)).error, undefined);
    });
    assert.equal(sim.requests.find((r) => r.path === '/api/chat')!.numCtx, 2048);
    await setSettings({ maxTokens: 4096 });
  });

  it('reports an invalid budget combination and keeps the last valid configuration working', async () => {
    const api = await activateTherapist();
    await setSettings({ systemTokenBudget: 0.6, userTokenBudget: 0.3, contextTokenBudget: 0.5 });
    const problem = await eventually(() => api.configProblem(), 10000, 'the configuration error');
    assert.match(problem, /therapist\.\w+TokenBudget/);
    assert.match(problem, /1\.4|sum/i);
    await withEditor('let y = 2;', 'javascript', async (editor) => {
      await select(editor, new vscode.Selection(0, 0, 0, 10));
      const { result, error } = await explainAndWait(api);
      assert.equal(error, undefined, 'the last valid budgets still work');
      assert.equal(result!.usage.limit, 4096);
    });
    await setSettings({ systemTokenBudget: undefined, userTokenBudget: undefined, contextTokenBudget: undefined });
    await eventually(() => api.configProblem() === undefined, 10000, 'the error to clear');
  });

  it('"Stop Generating" cancels and the server stops streaming', async () => {
    const api = await activateTherapist();
    sim.configureModel({ name: 'coder:7b', reply: 'word '.repeat(400), tokensPerSecond: 40 });
    try {
      await withEditor('while (true) {}', 'javascript', async (editor) => {
        await select(editor, new vscode.Selection(0, 0, 0, 15));
        const outcome = nextOutcome(api);
        // not awaited: the command resolves only when the answer has ended
        const command = vscode.commands.executeCommand('therapist.explainSelection');
        await eventually(() => (sim.requests.find((r) => r.path === '/api/chat')?.chunksSent ?? 0) >= 3, 20000, 'streaming to start');
        await vscode.commands.executeCommand('therapist.cancel');
        const { result } = await outcome;
        assert.equal(result?.cancelled, true);
        assert.ok(result!.text.length > 0 && result!.text.length < 'word '.repeat(400).length, 'the partial answer is kept');
        await command;
      });
      await eventually(() => sim.requests.find((r) => r.path === '/api/chat')?.clientDisconnected, 10000, 'the server to see the disconnect');
      const chat = sim.requests.find((r) => r.path === '/api/chat')!;
      assert.equal(chat.completed, false);
    } finally {
      sim.configureModel({ name: 'coder:7b', reply: 'It adds two numbers.', tokensPerSecond: 0 });
    }
  });
});

function chatTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Therapist');
}
