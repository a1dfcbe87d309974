import assert from 'node:assert/strict';
import { OllamaContextError, OllamaHttpError, isContextErrorText, mapHttpError } from '../../../../src/core/ollama/errors';
import { goJson } from '../../../support/ollamaSimulator';

// What each Ollama version answers when truncate:false refuses a prompt (shared/ollama-wire.md), as the body arrives.
const ctx = { method: 'POST', url: 'http://127.0.0.1:11434/api/chat', numCtx: 4096 };
const body = (error: string) => goJson({ error });

describe('context refusals (truncate:false) by Ollama version', () => {
  it("0.30+: llama-server's JSON inside the error string gives the model's own count and the window", () => {
    const inner = JSON.stringify({
      error: {
        code: 400,
        message: 'request (5261 tokens) exceeds the available context size (4096 tokens), try increasing it',
        type: 'exceed_context_size_error',
        n_prompt_tokens: 5261,
        n_ctx: 4096,
      },
    });
    const e = mapHttpError(400, body(inner), 'application/json', ctx);
    assert.ok(e instanceof OllamaContextError);
    assert.deepEqual([e.promptTokens, e.availableTokens, e.numCtxSent], [5261, 4096, 4096]);
    assert.equal(
      e.serverText,
      'request (5261 tokens) exceeds the available context size (4096 tokens), try increasing it',
      'the readable message, not the JSON',
    );
  });

  it('0.12.6-0.29: the runner says so without numbers', () => {
    const e = mapHttpError(400, body('the input length exceeds the context length'), 'application/json', ctx);
    assert.ok(e instanceof OllamaContextError);
    assert.deepEqual([e.promptTokens, e.availableTokens], [undefined, undefined]);
  });

  it('models that never shift context (deepseek2) and MLX models', () => {
    const noShift = mapHttpError(
      400,
      body(
        'the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length',
      ),
      'application/json',
      ctx,
    );
    assert.ok(noShift instanceof OllamaContextError);
    const mlx = mapHttpError(400, body("input length (9000 tokens) exceeds the model's maximum context length (8192 tokens)"), 'application/json', ctx);
    assert.ok(mlx instanceof OllamaContextError);
    assert.deepEqual([mlx.promptTokens, mlx.availableTokens], [9000, 8192]);
  });

  it('other llama-server errors are shown by their message, not as JSON', () => {
    const e = mapHttpError(500, body(JSON.stringify({ error: { code: 500, message: 'failed to load model', type: 'server_error' } })), 'application/json', ctx);
    assert.ok(e instanceof OllamaHttpError);
    assert.equal(e.serverText, 'failed to load model');
    assert.equal(isContextErrorText('model "x" not found'), false);
  });
});
