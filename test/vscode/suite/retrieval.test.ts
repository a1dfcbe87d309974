import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ChatMessage } from '../../../src/protocol/chat';
import type { ContextReport } from '../../../src/protocol/context';
import type { TherapistApi } from '../../../src/host/extensionApi';
import { activateTherapist, eventually, explainAndWait, select, simulatorForSuite } from './helpers';

// Retrieved context in a real VS Code: the workspace index runs in its worker thread over the test workspace's
// folder, a typed question goes through the chat controller exactly as the panel sends it, and the Ollama
// simulator records what the model was sent.

const INVOICES = `import type { InvoiceLine } from './types';

/** Sums the lines of an invoice and applies the tax rate once, rounding to whole cents at the end. */
export function computeInvoiceTotal(lines: InvoiceLine[], taxRate: number): number {
  const net = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  const gross = net * (1 + taxRate);
  return Math.round(gross * 100) / 100;
}
`;

const UNRELATED = `export function greet(name: string): string {
  return \`Hello, \${name}!\`;
}
`;

const QUESTION = 'How does computeInvoiceTotal apply the tax rate, and where is it rounded?';

function folder(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the suite runs with a workspace folder open');
  return f.uri;
}

async function write(relative: string, text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder(), relative), new TextEncoder().encode(text));
}

/** What the model received in the last /api/chat request: its last (user) message. */
function lastPrompt(sim: ReturnType<typeof simulatorForSuite>): string {
  const chats = sim.requests.filter((r) => r.path === '/api/chat');
  assert.ok(chats.length > 0, 'a chat request reached the simulator');
  return (chats[chats.length - 1].body as { messages: { content: string }[] }).messages.at(-1)!.content;
}

function lastAnswer(api: TherapistApi): ChatMessage & { context: ContextReport } {
  const answer = [...api.conversation()].reverse().find((m) => m.role === 'assistant');
  assert.ok(answer?.context, `the answer carries its context list: ${JSON.stringify(answer)}`);
  assert.equal(answer.error, undefined, JSON.stringify(answer.error));
  return answer as ChatMessage & { context: ContextReport };
}

const invoiceEntries = (report: ContextReport) => report.entries.filter((e) => e.location?.file === 'src/billing/invoices.ts');

describe('Retrieved context from the workspace index', function () {
  this.timeout(180000);
  const sim = simulatorForSuite('Here is how the total is computed.');
  let api: TherapistApi;

  before(async () => {
    api = await activateTherapist();
    await write('src/billing/invoices.ts', INVOICES);
    await write('src/greeting.ts', UNRELATED);
    // The index was restarted when the suite pointed Therapist at the simulator; the files arrive through the
    // first listing or the watcher, whichever comes later.
    await eventually(async () => (await api.indexIdle()).files >= 2, 60000, 'the index to hold the two files');
  });

  beforeEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await api.chatCommand({ type: 'newConversation' });
  });

  it("a question about a function in a closed file brings that file's chunk into the answer's context", async () => {
    assert.ok(
      !vscode.workspace.textDocuments.some((d) => d.uri.path.endsWith('invoices.ts') && vscode.window.visibleTextEditors.some((e) => e.document === d)),
      'the file is not open',
    );
    await api.chatCommand({ type: 'send', text: QUESTION });
    const prompt = lastPrompt(sim);
    assert.match(prompt, /src\/billing\/invoices\.ts \(lines \d+-\d+\):\n```typescript\n/, 'the chunk went in under its file and lines');
    assert.match(prompt, /export function computeInvoiceTotal\(lines: InvoiceLine\[\], taxRate: number\): number \{/);
    assert.ok(prompt.endsWith(QUESTION), 'the question comes last');
    const { context, text } = lastAnswer(api);
    assert.equal(text, 'Here is how the total is computed.');
    const [entry] = invoiceEntries(context);
    assert.ok(entry, JSON.stringify(context));
    assert.equal(entry.status, 'sent');
    assert.equal(entry.origin, 'retrieved');
    assert.deepEqual(entry.symbols, ['computeInvoiceTotal']);
    assert.equal(entry.label, `src/billing/invoices.ts:${entry.location!.startLine}-${entry.location!.endLine}`);
    assert.ok(entry.score! > 0 && entry.score === Math.max(...context.entries.map((e) => e.score ?? 0)), 'ranked first');
    assert.equal(context.entries[0].id, entry.id, 'listed first: the most relevant');
    assert.ok(['semantic', 'lexical'].includes(context.retrieval), context.retrieval);
  });

  it('excluding the file for the conversation removes it from the next answer, and including it brings it back', async () => {
    await api.chatCommand({ type: 'excludeContextFile', file: 'src/billing/invoices.ts', excluded: true });
    await api.chatCommand({ type: 'send', text: QUESTION });
    assert.doesNotMatch(lastPrompt(sim), /computeInvoiceTotal\(lines/, 'the model was not sent the excluded file');
    const excluded = lastAnswer(api).context;
    assert.deepEqual(invoiceEntries(excluded), []);
    assert.deepEqual(excluded.excluded, ['src/billing/invoices.ts']);
    await api.chatCommand({ type: 'excludeContextFile', file: 'src/billing/invoices.ts', excluded: false });
    await api.chatCommand({ type: 'send', text: QUESTION });
    assert.match(lastPrompt(sim), /computeInvoiceTotal\(lines/);
    assert.equal(invoiceEntries(lastAnswer(api).context).length, 1);
  });

  it('a file created while VS Code runs is indexed from the watcher, and a deleted one leaves the index', async () => {
    const before = (await api.indexIdle()).files;
    await write('src/shipping/parcelRates.ts', 'export function parcelRateForWeight(grams: number): number {\n  return grams > 2000 ? 12.5 : 4.9;\n}\n');
    await eventually(async () => (await api.indexIdle()).files === before + 1, 30000, 'the new file in the index');
    await api.chatCommand({ type: 'send', text: 'What does parcelRateForWeight charge for heavy parcels?' });
    assert.ok(
      lastAnswer(api).context.entries.some((e) => e.location?.file === 'src/shipping/parcelRates.ts' && e.status === 'sent'),
      JSON.stringify(lastAnswer(api).context),
    );
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder(), 'src/shipping'), { recursive: true });
    await eventually(async () => (await api.indexIdle()).files === before, 30000, 'the deleted folder gone from the index');
  });

  it('without the embedding model the answer says `ollama pull nomic-embed-text`, and search is lexical', async () => {
    sim.embeddings.remove('nomic-embed-text:latest');
    try {
      // New workers: the embedding model is asked again (the first search or the background embedding asks).
      await vscode.commands.executeCommand('therapist.rebuildIndex');
      const context = await eventually(
        async () => {
          await api.chatCommand({ type: 'send', text: QUESTION });
          const c = lastAnswer(api).context;
          return c.note?.includes('ollama pull') ? c : undefined;
        },
        30000,
        'the pull note',
      );
      assert.equal(context.retrieval, 'lexical');
      assert.equal(context.note, '`ollama pull nomic-embed-text` for semantic search');
      assert.equal(invoiceEntries(context)[0]?.status, 'sent', `lexical search still finds it: ${JSON.stringify(context)}`);
    } finally {
      sim.reset();
    }
  });

  it('Explain Selection adds the definition of a function the selection calls, from a closed file', async () => {
    await write('src/checkout.ts', "import { computeInvoiceTotal } from './billing/invoices';\n\nexport const due = computeInvoiceTotal(cart.lines, 0.2);\n");
    await eventually(async () => (await api.indexIdle()).files >= 3, 30000, 'src/checkout.ts in the index');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder(), 'src/checkout.ts'));
    const editor = await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.One });
    await select(editor, new vscode.Selection(2, 0, 2, doc.lineAt(2).text.length));
    const { error } = await explainAndWait(api);
    assert.equal(error, undefined, JSON.stringify(error));
    assert.match(lastPrompt(sim), /Definition of computeInvoiceTotal, src\/billing\/invoices\.ts \(lines \d+-\d+\):/);
    const definition = lastAnswer(api).context.entries.find((e) => e.origin === 'definition');
    assert.equal(definition?.location?.file, 'src/billing/invoices.ts');
    assert.equal(definition?.status, 'sent');
  });
});
