/**
 * Starts the Ollama simulator as its own process, for the browser UI runner and manual tries:
 *
 *   npx tsx test/support/ollamaSimulatorCli.ts --port 0 [--models '<json array of SimModelConfig>'] [--default-num-ctx 4096] [--demo 'label']
 *
 * Prints `SIMULATOR_URL=http://127.0.0.1:PORT` on stdout once listening (port 0 picks a free one), then serves
 * until SIGINT/SIGTERM. Everything Ollama has (/api/chat, /api/generate, /api/show, /api/ps, /api/tags,
 * /api/version, GET /) answers like Ollama; unknown routes answer text/plain `404 page not found`.
 *
 * CONTROL API (JSON, the only extension, all under /__sim/):
 *   POST   /__sim/models          body: SimModelConfig (see simulator/models.ts). Adds the model, or merges the
 *                                 given fields into it. Fields: name (required), contextLength (trained window),
 *                                 modelfileNumCtx, loadedContext (pre-loaded window shown by /api/ps),
 *                                 reply ("text" | {"echo":true,"prefix":"..."}), tokensPerChar, perMessageOverhead,
 *                                 tokensPerSecond, timeToFirstTokenMs, loadMs, stall {afterChunks, ms},
 *                                 truncation "silent" | "error", numKeep, splitUtf8, architecture,
 *                                 omitPromptEvalCount (an old server answering from its prompt cache),
 *                                 failure: {kind:"http", status, body, contentType?, times?} | {kind:"busy", times?}
 *                                          | {kind:"error-line", afterChunks, message, times?}
 *                                          | {kind:"cut", afterChunks, times?} | {kind:"garbage", afterChunks, line, times?},
 *                                 loadedWindowCap (a memory-limited server: it loads, reports in /api/ps and
 *                                 truncates/refuses against at most this window, whatever num_ctx asks),
 *                                 REAL TOKENIZERS: vocab "llama3" | "qwen3" | "deepseek_v3" | "gemma3" makes the model
 *                                 render `template` (default: its family's registry template) over the request as
 *                                 Ollama does, count it as llama-server does (prompt_eval_count), and truncate or
 *                                 refuse as the configured version does, driven by the request's truncate/shift
 *                                 (tokensPerChar, perMessageOverhead and truncation are then unused; without vocab
 *                                 the stand-in counts, cuts silently, and refuses on truncate:false from 0.12.6). /api/show then
 *                                 serves the GGUF tokenizer keys (arrays null unless "verbose":true) and the
 *                                 template; /api/tags a sha256 digest per name+vocab+format+template.
 *                                 format "gguf" (default) | "safetensors" (MLX: no tokenizer.* keys, never
 *                                 truncated, refused only at the trained contextLength). Loading a vocabulary takes
 *                                 1-3 s on first use.
 *                                 -> {"ok":true,"model":{...resolved}}
 *   DELETE /__sim/models/<name>   uninstalls a model (requests then get 404 "model '<name>' not found").
 *   GET    /__sim/models          -> {"models":[...], "loaded":[... as /api/ps]}
 *   GET    /__sim/requests        -> {"requests":[SimRequestRecord...], "reloads":N}: per request the body,
 *                                 numCtx (options.num_ctx as sent), numPredict, stream, effectiveNumCtx, status,
 *                                 promptTokens, promptEvalCount, truncated, droppedMessages, reloaded,
 *                                 chunksSent, clientDisconnected, completed; for vocab models also renderedPrompt
 *                                 (the string sent to the runner) and promptCut {keptTokens, droppedTokens, numKeep}.
 *   POST   /__sim/config          body: {"defaultNumCtx"?: N, "version"?: "0.33.0", "demo"?: "label" | null}
 *                                 (demo: /api/version adds "therapist_demo": label, as npm run demo's server does;
 *                                 version also selects how vocab models truncate and which error text they answer:
 *                                 <0.12.6 ignores truncate, <0.30 the old runner, 0.30.9+ the deepseek2/shift:false
 *                                 refusal, 0.30.11+ the num_ctx/2 cut, see simulator/ollamaPrompt.ts)
 *   POST   /__sim/reset           back to the starting models; forgets requests and loaded models.
 */
import { OllamaSimulator } from './ollamaSimulator';
import type { SimModelConfig } from './simulator/models';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const models = arg('models') ? (JSON.parse(arg('models') as string) as SimModelConfig[]) : undefined;
  const sim = new OllamaSimulator({
    port: Number(arg('port') ?? 0),
    host: arg('host') ?? '127.0.0.1',
    models,
    defaultNumCtx: arg('default-num-ctx') ? Number(arg('default-num-ctx')) : undefined,
    demo: arg('demo'),
  });
  await sim.start();
  process.stdout.write(`SIMULATOR_URL=${sim.url}\n`);
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`ollama simulator failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
