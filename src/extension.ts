import * as path from 'node:path';
import * as vscode from 'vscode';
import { FileTokenizerCache } from './core/request/modelTokenizers';
import { ModelIntegration } from './modelIntegration';
import { ChatController } from './host/chat/chatController';
import { VsCodeHostActions } from './host/chat/vsCodeHostActions';
import { ChatPanel } from './host/chat/chatPanel';
import { onConfigChange, readConfig } from './host/config';
import { ConversationStore } from './host/chat/conversationStore';
import { DashboardPanel } from './host/dashboard/dashboardPanel';
import { toDashboardData } from './host/dashboard/dashboardData';
import { explainSelection } from './host/chat/explainSelection';
import { LedgerService } from './core/ledger/ledgerService';
import { Log } from './host/log';
import { MementoCalibrationStore } from './host/storage/mementoCalibrationStore';
import { Settings } from './host/settings';
import { StatusBar } from './host/statusBar';
import { lastUsageOf } from './host/statusBarText';
import { observeBackend } from './host/chat/observedBackend';
import type { RequestOutcome, TherapistApi } from './host/extensionApi';
import { messageOf } from './core/runtime';
import { ConversationSummarizer, completeVia } from './core/conversation';
import { summariesOver } from './host/chat/conversationSummaries';
import { pick, keysOf } from './core/config';
import { WorkspaceIndexService } from './host/retrieval/workspaceIndexService';
import { RetrievalContext } from './host/retrieval/retrievalContext';
import { ContextPins } from './host/retrieval/contextPins';
import { runContextCommand } from './host/retrieval/contextCommands';
import { contextRoom, windowWithin } from './host/retrieval/indexSettings';
import { questionsBefore } from './host/retrieval/retrievalQuery';

/**
 * Wires Therapist's services and registrations; nothing else happens here. Heavy work is lazy: the
 * tokenizer loads on the first count, Ollama is asked on the first request, the ledger opens on first use.
 */
export function activate(context: vscode.ExtensionContext): TherapistApi | undefined {
  const log = new Log();
  context.subscriptions.push(log);
  try {
    const settings = new Settings(readConfig(), {
      log,
      notify: (message, setting) => {
        void vscode.window.showErrorMessage(message, 'Open Settings').then((choice) => {
          if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', setting ?? 'therapist');
        });
      },
    });
    const rateWaits = new vscode.EventEmitter<number>(); // seconds left while a request waits for the rate limit
    const ledger = new LedgerService({
      path: path.join(context.globalStorageUri.fsPath, 'token-ledger.jsonl'),
      limits: settings.ledgerLimits(),
      logger: log,
      onRateWait: (seconds) => rateWaits.fire(seconds),
    });
    const countingChanges = new vscode.EventEmitter<string>(); // a model's own tokenizer became ready
    const model = new ModelIntegration({
      ...settings.applied,
      user: settings.userId(),
      logger: log,
      calibrationStore: new MementoCalibrationStore(context.globalState),
      tokenizerCache: new FileTokenizerCache(path.join(context.globalStorageUri.fsPath, 'tokenizers')),
      onCountingChange: (name) => countingChanges.fire(name),
      ledger,
    });
    const statusBar = new StatusBar(settings.applied.model);
    const finished = new vscode.EventEmitter<RequestOutcome>();
    const store = new ConversationStore(context.workspaceState);
    // The workspace index (a worker thread per folder) and the chat's context from it (docs/retrieval.md).
    const workspaceIndex = new WorkspaceIndexService({
      extensionPath: context.extensionPath,
      storageUri: context.storageUri,
      globalStorageUri: context.globalStorageUri,
      log,
      settings: () => settings.applied,
    });
    const pins = new ContextPins(context.workspaceState);
    const retrieval = new RetrievalContext({
      search: workspaceIndex.search,
      pins,
      availability: () => workspaceIndex.availability(),
      where: () => workspaceIndex.where(),
      contextRoom: async () => contextRoom(settings.applied, await windowWithin(model.getModelFacts(), 2000)),
      earlierQuestions: (conversationId, prompt) => questionsBefore(store.get(conversationId)?.messages ?? [], prompt),
    });
    const usageData = async () => {
      const l = await ledger.ledger();
      const user = settings.userId();
      return toDashboardData(l.analytics({ user }), l.usage({ user, conversation: store.active().id }), (id) => store.get(id)?.title);
    };
    const dashboard = new DashboardPanel(
      context.extensionUri,
      {
        data: usageData,
        export: async (format) => (await ledger.ledger())[format === 'csv' ? 'exportCsv' : 'exportJson'](),
      },
      (message, error) => log.error(message, error),
    );
    const backend = observeBackend(model, (outcome) => {
      if (outcome.result) statusBar.update(lastUsageOf(settings.applied.model, outcome.result));
      if (outcome.error) log.error(`${outcome.command} failed: ${outcome.error.message}`);
      void dashboard.refresh();
      finished.fire(outcome);
    });
    const hostActions = new VsCodeHostActions(log);
    // Summaries of long conversations, written between turns by therapist.summarize.model (or the chat model),
    // through the same ModelIntegration: planned, counted and recorded in the ledger under `summarize`.
    const summaryModel = () => settings.applied['summarize.model'] || settings.applied.model;
    const summarizer = new ConversationSummarizer({
      complete: completeVia(model, () => settings.applied['summarize.model'] || undefined),
      meter: () => model.meterFor(),
      threshold: settings.applied['summarize.threshold'],
      summaryWindow: settings.applied.maxTokens,
      logger: log,
      onChange: (conversationId) => controller.summaryChanged(conversationId),
    });
    const fitSummaryWindow = () =>
      void model
        .getModelFacts(undefined, summaryModel())
        .then((facts) => summarizer.updateOptions({ summaryWindow: facts.effectiveWindow }))
        .catch(() => undefined);
    fitSummaryWindow();
    const controller = new ChatController({
      backend,
      store,
      host: hostActions,
      getModel: () => ({ model: settings.applied.model, limit: settings.applied.maxTokens }),
      contextFor: (request, conversationId, signal) => retrieval.provide(request, conversationId, signal),
      onContextCommand: (command, conversationId) => runContextCommand(command, conversationId, { pins, open: (at) => workspaceIndex.open(at) }),
      summaries: summariesOver(
        summarizer,
        () => pick(settings.applied, keysOf('budgets')),
        (message, error) => log.error(message, error),
      ),
    });
    const chat = new ChatPanel(context.extensionUri, controller);
    countingChanges.event(() => controller.recount());
    rateWaits.event((seconds) => controller.notify(`Waiting ${seconds} s for the token rate limit (therapist.rateLimit.tokensPerMinute). Stop cancels.`));

    context.subscriptions.push(
      finished,
      rateWaits,
      countingChanges,
      statusBar,
      dashboard,
      hostActions,
      chat,
      chat.registerSerializer(),
      { dispose: () => model.dispose() },
      { dispose: () => summarizer.dispose() },
      { dispose: () => void ledger.close() },
      { dispose: () => void store.flush() },
      workspaceIndex,
      onConfigChange((next) => {
        const changed = settings.apply(next);
        if (!changed) return;
        model.updateOptions(settings.applied);
        summarizer.updateOptions({ threshold: settings.applied['summarize.threshold'] });
        fitSummaryWindow();
        ledger.setLimits(settings.ledgerLimits());
        statusBar.setModel(settings.applied.model);
        workspaceIndex.configure(settings.applied);
        chat.refresh();
      }),
      vscode.commands.registerCommand('therapist.openChat', () => chat.show()),
      vscode.commands.registerCommand('therapist.explainSelection', () =>
        explainSelection(
          (request) => chat.ask(request),
          (selection) => retrieval.definitionsFor(selection, store.active().id),
        ),
      ),
      vscode.commands.registerCommand('therapist.cancel', () => chat.stop()),
      vscode.commands.registerCommand('therapist.showTokenUsage', () => dashboard.show()),
      vscode.commands.registerCommand('therapist.rebuildIndex', () => workspaceIndex.rebuild()),
    );
    log.info(
      `activated: model ${settings.applied.model} at ${settings.applied.ollamaUrl}, window ${settings.applied.maxTokens} tokens, user ${settings.userId()}`,
    );
    return {
      getConfig: () => settings.applied,
      configProblem: () => settings.problem,
      onDidFinishRequest: finished.event,
      tokenUsage: usageData,
      chatCommand: (message) => controller.handle(message),
      conversation: () => store.active().messages,
      indexIdle: () => workspaceIndex.idle(),
    };
  } catch (error) {
    // VS Code shows nothing when activation throws: say it ourselves, with the way to the details.
    log.error('Therapist failed to activate', error);
    void vscode.window.showErrorMessage(`Therapist failed to start: ${messageOf(error)}`, 'Open Log').then((choice) => {
      if (choice === 'Open Log') log.show();
    });
    return undefined;
  }
}

export function deactivate(): void {}
