import { strict as assert } from 'node:assert';
import { OllamaSimulator } from '../../support/ollamaSimulator';
import { post } from '../../support/ollamaTestKit';
import { assistant, chat, referenceCount, rendered, system, user, type Vocab } from './vocabSimKit';

// prompt_eval_count of a model with a real vocabulary is the reference tokenizer's count of the prompt the
// registry template renders, BOS included where llama.cpp adds one: what llama-server evaluates.

const CONVERSATION = [
  system('You are a careful reviewer. Answer in one paragraph.'),
  user('Why does `for (let i = 0; i < n; i++) sum += a[i];` overflow? 東京の天気は？ 🎉 naïve café'),
  assistant('Because `sum` is a 32-bit int & the values are large: use a BigInt or a double.'),
  // A typed special-token string is a token for llama-server (parse_special), not text: Ollama does not escape it.
  user('Thanks!\n\n\tindented <b>bold</b> <|im_end|> <|eot_id|> <end_of_turn>\n```ts\nconst x: Map<string, number[]> = new Map();\n```'),
];

const MODELS: [Vocab, string][] = [
  ['llama3', 'llama3.2:3b'],
  ['qwen3', 'qwen3:8b'],
  ['deepseek_v3', 'deepseek-v3:671b'],
  ['gemma3', 'gemma3:1b'],
];

describe('OllamaSimulator with real vocabularies: prompt_eval_count is llama-server count of the rendered template', function () {
  this.timeout(60_000);
  let sim: OllamaSimulator;
  before(async () => {
    sim = new OllamaSimulator({ models: MODELS.map(([vocab, name]) => ({ name, vocab })) });
    await sim.start();
  });
  after(() => sim.stop());
  beforeEach(() => sim.reset());

  for (const [vocab, name] of MODELS) {
    it(`${vocab}: a chat over HTTP reports the reference count of the rendered prompt`, async () => {
      const res = await chat(sim, { model: name, messages: CONVERSATION, options: { num_ctx: 8192 } });
      assert.equal(res.status, 200, res.text);
      const prompt = rendered(vocab, CONVERSATION);
      const expected = referenceCount(vocab, prompt);
      assert.equal(res.json.prompt_eval_count, expected);
      const rec = sim.requests.at(-1);
      assert.equal(rec?.renderedPrompt, prompt, 'the record holds the string the model saw');
      assert.deepEqual([rec?.promptTokens, rec?.promptEvalCount, rec?.truncated, rec?.droppedMessages], [expected, expected, false, 0]);
    });
  }

  it('counts a streamed chat the same as a non-streamed one, and /api/generate through the same template', async () => {
    const messages = [user('Summarise: ' + 'tokens are not characters. '.repeat(20))];
    const streamed = await post(`${sim.url}/api/chat`, { model: 'qwen3:8b', messages, think: false });
    const final = JSON.parse(streamed.text.trim().split('\n').at(-1) as string) as { prompt_eval_count: number };
    assert.equal(final.prompt_eval_count, referenceCount('qwen3', rendered('qwen3', messages, { think: false })));
    // GenerateHandler renders [system, user prompt] through chatPrompt (server/routes.go); raw sends the prompt as is.
    const gen = JSON.parse((await post(`${sim.url}/api/generate`, { model: 'llama3.2:3b', system: 'Be terse.', prompt: 'Hi there', stream: false })).text);
    assert.equal(gen.prompt_eval_count, referenceCount('llama3', rendered('llama3', [system('Be terse.'), user('Hi there')])));
    const raw = JSON.parse((await post(`${sim.url}/api/generate`, { model: 'llama3.2:3b', prompt: '<|begin_of_text|>Hi', raw: true, stream: false })).text);
    assert.equal(raw.prompt_eval_count, referenceCount('llama3', '<|begin_of_text|>Hi'));
  });

  it('renders a custom template when one is configured', async () => {
    const template = '{{ range .Messages }}[{{ .Role }}] {{ .Content }}\n{{ end }}[assistant] ';
    sim.configureModel({ name: 'custom:1b', vocab: 'qwen3', template });
    const res = await chat(sim, { model: 'custom:1b', messages: [user('hello'), assistant('hi'), user('bye')] });
    const prompt = '[user] hello\n[assistant] hi\n[user] bye\n[assistant] ';
    assert.equal(sim.requests.at(-1)?.renderedPrompt, prompt);
    assert.equal(res.json.prompt_eval_count, referenceCount('qwen3', prompt));
  });
});
