import { strict as assert } from 'node:assert';
import { OllamaSimulator } from '../../support/ollamaSimulator';
import { post } from '../../support/ollamaTestKit';
import { assistant, chat, prose, referenceCount, rendered, setVersion, system, user } from './vocabSimKit';

// Truncation and refusals of models with real vocabularies, version by version, against numbers computed here
// from the reference tokenizers and Ollama's source (server/prompt.go, llm/llama_server.go, runner/ollamarunner).

const llamaServerError = (n: number, ctx: number) =>
  `{"error":{"code":400,"message":"request (${n} tokens) exceeds the available context size (${ctx} tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":${n},"n_ctx":${ctx}}}`;
const NO_SHIFT =
  'the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length';

describe('OllamaSimulator with real vocabularies: truncation and refusals follow the Ollama version', function () {
  this.timeout(60_000);
  let sim: OllamaSimulator;
  before(async () => {
    sim = new OllamaSimulator({
      models: [
        { name: 'llama3.2:3b', vocab: 'llama3' },
        { name: 'qwen3:8b', vocab: 'qwen3' },
        { name: 'deepseek-v3:671b', vocab: 'deepseek_v3' },
      ],
    });
    await sim.start();
  });
  after(() => sim.stop());
  beforeEach(async () => {
    sim.reset();
    await setVersion(sim, '0.33.0');
  });

  const long = [user(prose(600))];
  const qwenLong = () => referenceCount('qwen3', rendered('qwen3', long));
  const errorOf = (text: string) => (JSON.parse(text) as { error: string }).error;

  it('0.30+: truncate:false is llama-server JSON as the error string, with the model count and n_ctx, also when streaming', async () => {
    const n = qwenLong();
    assert.ok(n > 600, `the prompt has ${n} tokens`);
    const res = await post(`${sim.url}/api/chat`, { model: 'qwen3:8b', messages: long, truncate: false, stream: false, options: { num_ctx: 256 } });
    assert.equal(res.status, 400);
    assert.equal(res.text, JSON.stringify({ error: llamaServerError(n, 256) }));
    const streamed = await post(`${sim.url}/api/chat`, { model: 'qwen3:8b', messages: long, truncate: false, options: { num_ctx: 256 } });
    assert.deepEqual([streamed.status, streamed.type, errorOf(streamed.text)], [400, 'application/json; charset=utf-8', llamaServerError(n, 256)]);
    // No message is dropped either: the count is the whole conversation's.
    const messages = [system('Be brief.'), user(prose(300, 2)), assistant(prose(300, 3)), user('and?')];
    const whole = referenceCount('qwen3', rendered('qwen3', messages));
    const refused = await post(`${sim.url}/api/chat`, { model: 'qwen3:8b', messages, truncate: false, options: { num_ctx: 256 } });
    assert.equal(errorOf(refused.text), llamaServerError(whole, 256));
    assert.equal(sim.requests.at(-1)?.droppedMessages, 0);
  });

  it('llama-server refuses a prompt of exactly num_ctx tokens (n_tokens >= n_ctx); the old runner took it', async () => {
    const n = qwenLong();
    const exact = await chat(sim, { model: 'qwen3:8b', messages: long, truncate: false, options: { num_ctx: n } });
    assert.deepEqual([exact.status, exact.json.error], [400, llamaServerError(n, n)]);
    const roomier = await chat(sim, { model: 'qwen3:8b', messages: long, truncate: false, options: { num_ctx: n + 1 } });
    assert.deepEqual([roomier.status, roomier.json.prompt_eval_count], [200, n]);
    await setVersion(sim, '0.24.0');
    const old = await chat(sim, { model: 'qwen3:8b', messages: long, truncate: false, options: { num_ctx: n } });
    assert.deepEqual([old.status, old.json.prompt_eval_count], [200, n]);
  });

  it('0.12.6 to 0.29 refuse with the runner text; before 0.12.6 truncate is ignored and the prompt cut to exactly num_ctx', async () => {
    await setVersion(sim, '0.24.0');
    const refused = await chat(sim, { model: 'qwen3:8b', messages: long, truncate: false, options: { num_ctx: 256 } });
    assert.deepEqual([refused.status, refused.text], [400, '{"error":"the input length exceeds the context length"}']);
    await setVersion(sim, '0.12.5');
    const cut = await chat(sim, { model: 'qwen3:8b', messages: long, truncate: false, options: { num_ctx: 256 } });
    assert.deepEqual([cut.status, cut.json.prompt_eval_count], [200, 256]);
    const rec = sim.requests.at(-1);
    assert.deepEqual([rec?.truncated, rec?.promptTokens, rec?.promptCut], [true, qwenLong(), { keptTokens: 256, droppedTokens: qwenLong() - 256, numKeep: 4 }]);
  });

  it('0.30.11+ cuts tokens silently to num_keep plus about half the window (2050 of 4096), 0.30.0-0.30.10 to num_ctx - 1', async () => {
    const huge = [user(prose(6000, 7))];
    const n = referenceCount('llama3', rendered('llama3', huge));
    assert.ok(n > 4096);
    const cut = await chat(sim, { model: 'llama3.2:3b', messages: huge, options: { num_ctx: 4096 } });
    // limit = num_ctx - max((num_ctx - num_keep) / 2, 1): Llama 3's GGUF has no add_bos_token key, so Ollama adds nothing to num_keep.
    assert.deepEqual([cut.status, cut.json.prompt_eval_count], [200, 4096 - Math.floor((4096 - 4) / 2)]);
    assert.equal(cut.json.prompt_eval_count, 2050);
    assert.deepEqual(sim.requests.at(-1)?.promptCut, { keptTokens: 2050, droppedTokens: n - 2050, numKeep: 4 });
    const keep = await chat(sim, { model: 'llama3.2:3b', messages: huge, options: { num_ctx: 4096, num_keep: 100 } });
    assert.equal(keep.json.prompt_eval_count, 4096 - Math.floor((4096 - 100) / 2));
    await setVersion(sim, '0.30.5');
    const older = await chat(sim, { model: 'llama3.2:3b', messages: huge, options: { num_ctx: 4096 } });
    assert.equal(older.json.prompt_eval_count, 4095);
  });

  it('drops whole messages oldest first, keeping system messages and the last one, and leaves no room for the BOS', async () => {
    const messages = [system('Answer in French.'), user(prose(400, 4)), assistant(prose(400, 5)), user('Merci, et ensuite ?')];
    const kept = [messages[0], messages[2], messages[3]];
    const keptPrompt = rendered('qwen3', kept);
    const fits = referenceCount('qwen3', keptPrompt, false);
    const res = await chat(sim, { model: 'qwen3:8b', messages, options: { num_ctx: fits + 1 } });
    assert.deepEqual([res.status, res.json.prompt_eval_count], [200, fits]);
    const rec = sim.requests.at(-1);
    assert.deepEqual(
      [rec?.droppedMessages, rec?.truncated, rec?.renderedPrompt, rec?.promptTokens],
      [1, true, keptPrompt, referenceCount('qwen3', rendered('qwen3', messages))],
    );
    assert.equal(rec?.promptCut, undefined);
    // prompt.go accepts a count equal to num_ctx, but since 0.30 the runner keeps one token free (n_tokens < n_ctx):
    // the same messages in a window of exactly their size are cut as well.
    const exact = await chat(sim, { model: 'qwen3:8b', messages, options: { num_ctx: fits } });
    assert.deepEqual([exact.json.prompt_eval_count, sim.requests.at(-1)?.droppedMessages], [fits - Math.floor((fits - 4) / 2), 1]);
    // Llama 3: prompt.go compares the count without BOS to num_ctx, llama-server adds the BOS: one token too many for
    // a window of exactly that size, so the kept messages are cut on top of the drop.
    const llamaKept = rendered('llama3', kept);
    const llamaFits = referenceCount('llama3', llamaKept, false);
    const tight = await chat(sim, { model: 'llama3.2:3b', messages, options: { num_ctx: llamaFits } });
    assert.equal(tight.json.prompt_eval_count, llamaFits - Math.floor((llamaFits - 4) / 2));
    assert.deepEqual([sim.requests.at(-1)?.droppedMessages, sim.requests.at(-1)?.renderedPrompt], [1, llamaKept]);
    const roomy = await chat(sim, { model: 'llama3.2:3b', messages, options: { num_ctx: llamaFits + 2 } });
    assert.equal(roomy.json.prompt_eval_count, llamaFits + 1);
  });

  it('an old server (0.14, prompt.go still walking from the newest message) drops the same messages and cuts to exactly num_ctx', async () => {
    await setVersion(sim, '0.14.0');
    const messages = [system('Answer in French.'), user(prose(400, 4)), assistant(prose(400, 5)), user(prose(200, 6))];
    const kept = rendered('qwen3', [messages[0], messages[2], messages[3]]);
    const res = await chat(sim, { model: 'qwen3:8b', messages, truncate: false, options: { num_ctx: referenceCount('qwen3', kept) } });
    assert.equal(res.status, 400, 'truncate:false is understood since 0.12.6');
    const dropped = await chat(sim, { model: 'qwen3:8b', messages, options: { num_ctx: referenceCount('qwen3', kept) } });
    assert.deepEqual([dropped.json.prompt_eval_count, sim.requests.at(-1)?.droppedMessages], [referenceCount('qwen3', kept), 1]);
    // Before 0.30 a count equal to num_ctx is evaluated whole; a last message too long alone is cut to exactly num_ctx.
    assert.equal(sim.requests.at(-1)?.promptCut, undefined);
    const huge = [...messages.slice(0, 3), user(prose(350, 9))];
    const cut = await chat(sim, { model: 'qwen3:8b', messages: huge, options: { num_ctx: 300 } });
    assert.deepEqual([cut.json.prompt_eval_count, sim.requests.at(-1)?.droppedMessages], [300, 2]);
  });

  it('the deepseek2 family has no context shift: 0.30.9+ refuses what it would cut, unless the request asks shift:true', async () => {
    const messages = [user(prose(600, 8))];
    const n = referenceCount('deepseek_v3', rendered('deepseek_v3', messages));
    const refused = await chat(sim, { model: 'deepseek-v3:671b', messages, options: { num_ctx: 256 } });
    assert.deepEqual([refused.status, refused.json.error], [400, NO_SHIFT]);
    // With truncate:false the prompt goes to llama-server as it is, which answers with its own JSON.
    const strict = await chat(sim, { model: 'deepseek-v3:671b', messages, truncate: false, options: { num_ctx: 256 } });
    assert.equal(strict.json.error, llamaServerError(n, 256));
    // shift is a load setting: asking for it reloads; its GGUF says add_bos_token, so num_keep counts the BOS.
    const shifted = await chat(sim, { model: 'deepseek-v3:671b', messages, shift: true, options: { num_ctx: 256 } });
    assert.deepEqual([shifted.status, shifted.json.prompt_eval_count, sim.requests.at(-1)?.reloaded], [200, 256 - Math.floor((256 - 5) / 2), true]);
    await setVersion(sim, '0.30.8');
    const before = await chat(sim, { model: 'deepseek-v3:671b', messages, options: { num_ctx: 256 } });
    assert.deepEqual([before.status, before.json.prompt_eval_count], [200, 255]);
  });
});
