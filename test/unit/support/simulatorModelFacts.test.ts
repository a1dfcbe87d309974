import { strict as assert } from 'node:assert';
import { modelTokenizerFromShow } from '../../../src/core/tokens/model';
import { readGgufVocab } from '../../../src/core/tokens/model/ggufVocab';
import { createSpmTokenizer } from '../../../src/core/tokens/model/spm';
import { OllamaSimulator } from '../../support/ollamaSimulator';
import { post } from '../../support/ollamaTestKit';
import { FAMILY_TEMPLATES } from '../../support/templates';
import { loadGemmaTestVocab } from '../../support/vocab/spmFromTokenizerJson';
import { loadTestVocab } from '../../support/vocab/testVocabs';
import { assistant, chat, prose, referenceCount, rendered, system, user } from './vocabSimKit';

// /api/show, /api/tags and /api/ps of models with real vocabularies; MLX models; a memory-limited load; thinking.

type Show = { template: string; model_info: Record<string, unknown>; capabilities: string[]; details: { format: string }; modelfile: string };

describe('OllamaSimulator with real vocabularies: model facts, MLX, memory-limited loads, thinking', function () {
  this.timeout(60_000);
  let sim: OllamaSimulator;
  before(async () => {
    sim = new OllamaSimulator({
      models: [
        { name: 'llama3.2:3b', vocab: 'llama3' },
        { name: 'qwen3:8b', vocab: 'qwen3', thinking: 'The user greets me. I greet back.' },
        { name: 'gemma3:1b', vocab: 'gemma3' },
        { name: 'qwen3-mlx:8b', vocab: 'qwen3', format: 'safetensors', contextLength: 2048 },
        { name: 'tight:8b', vocab: 'qwen3', loadedWindowCap: 1024 },
      ],
    });
    await sim.start();
  });
  after(() => sim.stop());
  beforeEach(() => sim.reset());

  const show = async (model: string, verbose?: boolean) => {
    const res = await post(`${sim.url}/api/show`, { model, ...(verbose === undefined ? {} : { verbose }) });
    assert.equal(res.status, 200, res.text);
    return { raw: res.text, json: JSON.parse(res.text) as Show };
  };

  it('without verbose the tokenizer arrays are null and the scalars present; with verbose the whole arrays', async () => {
    const { raw, json } = await show('llama3.2:3b');
    const info = json.model_info;
    for (const key of ['tokenizer.ggml.tokens', 'tokenizer.ggml.token_type', 'tokenizer.ggml.merges']) assert.equal(info[key], null, key);
    assert.deepEqual(
      [
        info['tokenizer.ggml.model'],
        info['tokenizer.ggml.pre'],
        info['tokenizer.ggml.bos_token_id'],
        info['general.architecture'],
        info['llama.context_length'],
      ],
      ['gpt2', 'llama-bpe', 128000, 'llama', 131072],
    );
    assert.deepEqual(Object.keys(info), Object.keys(info).sort(), 'Go writes a map with sorted keys');
    assert.ok(raw.includes('"tokenizer.ggml.tokens":null'));
    assert.equal(json.template, FAMILY_TEMPLATES['llama3.2'].template);
    const verbose = await show('llama3.2:3b', true);
    const expected = loadTestVocab('llama3').modelInfo;
    for (const key of ['tokenizer.ggml.tokens', 'tokenizer.ggml.token_type', 'tokenizer.ggml.merges']) {
      assert.deepEqual(verbose.json.model_info[key], expected[key], key);
    }
    assert.ok(verbose.raw.length > 4_000_000, `${verbose.raw.length} bytes`);
    assert.ok(verbose.raw.includes('"\\u003c|begin_of_text|\\u003e"'), 'Go escapes < and > inside the vocabulary');
    // SentencePiece: scores too, and the SPM scalars.
    const gemma = (await show('gemma3:1b')).json.model_info;
    assert.deepEqual([gemma['tokenizer.ggml.model'], gemma['tokenizer.ggml.scores'], gemma['tokenizer.ggml.add_bos_token']], ['llama', null, true]);
    const gemmaVerbose = (await show('gemma3:1b', true)).json.model_info;
    // JSON has no negative zero: the first learned piece's score -0 comes back as 0.
    const scores = (loadGemmaTestVocab('ollama').vocab.scores ?? []).map((x) => (Object.is(x, -0) ? 0 : x));
    assert.deepEqual(gemmaVerbose['tokenizer.ggml.scores'], scores);
  });

  it('a client that counts with the tokenizer built from /api/show verbose predicts prompt_eval_count exactly', async () => {
    const messages = [system('Be brief.'), user('Hello <b>world</b> 東京 🎉 <|eot_id|>\n\n  x'), assistant('ok'), user('code: `a<b`')];
    for (const model of ['llama3.2:3b', 'gemma3:1b']) {
      const info = (await show(model, true)).json.model_info;
      const res = await chat(sim, { model, messages });
      const prompt = sim.requests.at(-1)?.renderedPrompt ?? '';
      const vocab = readGgufVocab(info);
      assert.ok(vocab, model);
      const counted = vocab.model === 'llama' ? createSpmTokenizer(vocab).countPrompt(prompt) : modelTokenizerFromShow(info)?.countPrompt(prompt);
      assert.equal(counted, res.json.prompt_eval_count, model);
    }
  });

  it('lists a digest stable per name and vocabulary in /api/tags, /api/ps and the Modelfile of /api/show', async () => {
    const tags = (await (await fetch(`${sim.url}/api/tags`)).json()) as { models: { name: string; digest: string }[] };
    const digest = (name: string) => tags.models.find((m) => m.name === name)?.digest ?? '';
    assert.match(digest('llama3.2:3b'), /^[0-9a-f]{64}$/);
    assert.notEqual(digest('qwen3:8b'), digest('tight:8b'));
    assert.ok((await show('llama3.2:3b')).json.modelfile.includes(`FROM /root/.ollama/models/blobs/sha256-${digest('llama3.2:3b')}`));
    const again = new OllamaSimulator({ models: [{ name: 'llama3.2:3b', vocab: 'llama3' }] });
    await again.start();
    try {
      const other = (await (await fetch(`${again.url}/api/tags`)).json()) as { models: { digest: string }[] };
      assert.equal(other.models[0].digest, digest('llama3.2:3b'), 'same name and vocabulary, same digest');
      again.configureModel({ name: 'llama3.2:3b', vocab: 'qwen3' });
      const changed = (await (await fetch(`${again.url}/api/tags`)).json()) as { models: { digest: string }[] };
      assert.notEqual(changed.models[0].digest, digest('llama3.2:3b'), 'another vocabulary, another digest');
    } finally {
      await again.stop();
    }
  });

  it('a safetensors (MLX) model has no tokenizer keys, is never truncated, and only enforces its trained context', async () => {
    const { json } = await show('qwen3-mlx:8b', true);
    assert.equal(json.details.format, 'safetensors');
    assert.deepEqual(
      Object.keys(json.model_info).filter((k) => k.startsWith('tokenizer.')),
      [],
    );
    assert.equal(json.model_info['qwen3.context_length'], 2048);
    // Ollama's own tokenizer over tokenizer.json: Hugging Face semantics (Qwen's NFC normalizer included), no BOS.
    const hfCount = (prompt: string) => loadTestVocab('qwen3').hfReference().encode(prompt, { add_special_tokens: false }).length;
    const messages = [system('Be brief.'), user(prose(300, 11)), assistant(prose(300, 12)), user('Café? Cafe\u0301?')];
    const whole = await chat(sim, { model: 'qwen3-mlx:8b', messages, options: { num_ctx: 512 } });
    assert.deepEqual([whole.status, whole.json.prompt_eval_count], [200, hfCount(rendered('qwen3', messages))], 'num_ctx 512 is not a limit for MLX');
    assert.equal(sim.requests.at(-1)?.droppedMessages, 0);
    const huge = [user(prose(2500, 13))];
    const refused = await chat(sim, { model: 'qwen3-mlx:8b', messages: huge, options: { num_ctx: 512 } });
    const n = hfCount(rendered('qwen3', huge));
    assert.deepEqual([refused.status, refused.json.error], [400, `input length (${n} tokens) exceeds the model's maximum context length (2048 tokens)`]);
  });

  it('a memory-limited load (loadedWindowCap) shows its smaller window in /api/ps and truncates or refuses against it', async () => {
    const messages = [user(prose(1500, 14))];
    const n = referenceCount('qwen3', rendered('qwen3', messages));
    const refused = await chat(sim, { model: 'tight:8b', messages, truncate: false, options: { num_ctx: 8192 } });
    assert.equal(
      refused.json.error,
      `{"error":{"code":400,"message":"request (${n} tokens) exceeds the available context size (1024 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":${n},"n_ctx":1024}}`,
    );
    const ps = (await (await fetch(`${sim.url}/api/ps`)).json()) as { models: { name: string; context_length: number }[] };
    assert.deepEqual(
      ps.models.map((m) => [m.name, m.context_length]),
      [['tight:8b', 1024]],
    );
    const cut = await chat(sim, { model: 'tight:8b', messages, options: { num_ctx: 8192 } });
    assert.equal(cut.json.prompt_eval_count, 1024 - Math.floor((1024 - 4) / 2));
    const chats = sim.requests.filter((r) => r.path === '/api/chat');
    assert.deepEqual(
      chats.map((r) => [r.effectiveNumCtx, r.reloaded ?? false]),
      [
        [1024, true],
        [1024, false],
      ],
      'the same num_ctx does not reload',
    );
  });

  it('a thinking model on a qwen3 vocabulary: think absent means on, and the think flag changes the rendered prompt', async () => {
    assert.ok((await show('qwen3:8b')).json.capabilities.includes('thinking'));
    assert.ok(!(await show('llama3.2:3b')).json.capabilities.includes('thinking'));
    const messages = [user('Hi!')];
    const on = await post(`${sim.url}/api/chat`, { model: 'qwen3:8b', messages });
    const lines = on.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { message: { thinking?: string; content: string }; prompt_eval_count?: number });
    assert.equal(lines.map((l) => l.message.thinking ?? '').join(''), 'The user greets me. I greet back.');
    const thinkingPrompt = rendered('qwen3', messages);
    assert.ok(thinkingPrompt.includes('/think'));
    assert.equal(lines.at(-1)?.prompt_eval_count, referenceCount('qwen3', thinkingPrompt));
    const off = await chat(sim, { model: 'qwen3:8b', messages, think: false });
    const plainPrompt = rendered('qwen3', messages, { think: false });
    assert.equal(sim.requests.at(-1)?.renderedPrompt, plainPrompt);
    assert.deepEqual([off.json.prompt_eval_count, (off.json.message as { thinking?: string }).thinking], [referenceCount('qwen3', plainPrompt), undefined]);
    assert.notEqual(off.json.prompt_eval_count, lines.at(-1)?.prompt_eval_count);
    const refused = await chat(sim, { model: 'llama3.2:3b', messages, think: true });
    assert.deepEqual([refused.status, refused.json.error], [400, '"llama3.2:3b" does not support thinking']);
  });
});
