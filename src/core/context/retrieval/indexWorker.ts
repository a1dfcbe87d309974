import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { EstimateTokenizer } from '../../tokens/estimateTokenizer';
import { TiktokenTokenizer, loadGpt2Encoding } from '../../tokens/tiktokenTokenizer';
import { serializeError } from './errors';
import type { CountTokens } from './types';
import type { FromWorker, IndexMethod, TokenizerChoice, ToWorker, WorkerInit } from './workerProtocol';
import type { RetrievalIndex } from './retrievalIndex';
import { WorkspaceIndex } from './workspaceIndex';

// The worker thread's entry: one WorkspaceIndex, driven by messages from WorkerIndex on the main thread.
// Parsing, chunking, BM25 and vector search all happen here, so the extension host stays responsive.

/** The token counter the worker was asked for. */
export function counterFor(choice: TokenizerChoice): CountTokens {
  if (choice === 'estimate') {
    const tokenizer = new EstimateTokenizer();
    return (text) => tokenizer.count(text);
  }
  if (choice === 'gpt2') {
    const tokenizer = new TiktokenTokenizer(loadGpt2Encoding());
    return (text) => tokenizer.count(text);
  }
  const loaded = createRequire(__filename)(choice.module) as Record<string, unknown>;
  const exported = loaded[choice.export ?? 'countTokens'];
  if (typeof exported !== 'function') throw new TypeError(`${choice.module} does not export a function ${choice.export ?? 'countTokens'}(text)`);
  return exported as CountTokens;
}

function start(port: NonNullable<typeof parentPort>, init: WorkerInit): void {
  const post = (message: FromWorker) => port.postMessage(message);
  const index = new WorkspaceIndex(init.options, { countTokens: counterFor(init.tokenizer), autoEmbed: init.autoEmbed });
  index.onProgress((progress) => post({ kind: 'progress', progress }));
  index.onNotice((notice) => post({ kind: 'notice', notice }));
  const calls = new Map<number, AbortController>();
  const methods: Record<IndexMethod, (args: unknown[], signal: AbortSignal) => Promise<unknown>> = {
    open: () => index.open(),
    sync: ([files], signal) => index.sync(files as Parameters<RetrievalIndex['sync']>[0], { signal }),
    update: ([changes], signal) => index.update(changes as Parameters<RetrievalIndex['update']>[0], { signal }),
    rebuild: ([files], signal) => index.rebuild(files as Parameters<RetrievalIndex['rebuild']>[0], { signal }),
    embed: (_args, signal) => index.embed({ signal }),
    search: ([query, options]) => index.search(query as string, options as Parameters<RetrievalIndex['search']>[1]),
    stats: () => index.stats(),
    persist: () => index.persist(),
    close: () => index.close(),
  };
  port.on('message', (message: ToWorker) => {
    if (message.kind === 'cancel') {
      calls.get(message.id)?.abort();
      return;
    }
    const controller = new AbortController();
    calls.set(message.id, controller);
    const method = methods[message.method];
    Promise.resolve()
      .then(() => (method ? method(message.args, controller.signal) : Promise.reject(new TypeError(`unknown method ${message.method}`))))
      .then(
        (value) => post({ kind: 'result', id: message.id, ok: true, value }),
        (error: unknown) => post({ kind: 'result', id: message.id, ok: false, error: serializeError(error) }),
      )
      .finally(() => calls.delete(message.id));
  });
}

if (parentPort) start(parentPort, workerData as WorkerInit);
