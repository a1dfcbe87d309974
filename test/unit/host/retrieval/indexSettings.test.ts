import assert from 'node:assert/strict';
import { DEFAULTS, validateConfig } from '../../../../src/core/config';
import { DEFAULT_RETRIEVAL_OPTIONS, resolveOptions } from '../../../../src/core/context/retrieval';
import { contextRoom, heapLimitMb, limitsOf, retrievalKey } from '../../../../src/host/retrieval/indexSettings';

describe('retrieval settings as index options', () => {
  it("the default settings are the core's default limits, and every valid setting is a valid option", () => {
    assert.deepEqual(limitsOf(DEFAULTS), DEFAULT_RETRIEVAL_OPTIONS.limits);
    const largest = validateConfig({
      ...DEFAULTS,
      'retrieval.maxFiles': 1_000_000,
      'retrieval.maxFileSizeKb': 1_048_576,
      'retrieval.maxIndexMb': 16384,
      'retrieval.maxChunks': 10_000_000,
      'retrieval.maxDiskMb': 65536,
    });
    assert.doesNotThrow(() => resolveOptions({ limits: limitsOf(largest) }));
    assert.doesNotThrow(() =>
      resolveOptions({
        limits: limitsOf({
          ...DEFAULTS,
          'retrieval.maxFiles': 1,
          'retrieval.maxFileSizeKb': 1,
          'retrieval.maxIndexMb': 1,
          'retrieval.maxChunks': 1,
          'retrieval.maxDiskMb': 1,
        }),
      }),
    );
  });

  it('the worker heap follows the limits, between 512 MB and 4 GB', () => {
    assert.equal(heapLimitMb(DEFAULTS), Math.round((6 * 256 + (870 * 200_000) / 1_048_576) * 1.25 + 256));
    assert.equal(heapLimitMb({ ...DEFAULTS, 'retrieval.maxIndexMb': 1, 'retrieval.maxChunks': 1 }), 512);
    assert.equal(heapLimitMb({ ...DEFAULTS, 'retrieval.maxIndexMb': 16384 }), 4096);
  });

  it('a new index only when something it was built with changed', () => {
    const key = retrievalKey(DEFAULTS);
    assert.equal(retrievalKey({ ...DEFAULTS, maxTokens: 2048 } as typeof DEFAULTS), key);
    assert.equal(retrievalKey({ ...DEFAULTS, embeddingModel: ' nomic-embed-text ' }), key);
    assert.notEqual(retrievalKey({ ...DEFAULTS, embeddingModel: '' }), key);
    assert.notEqual(retrievalKey({ ...DEFAULTS, 'retrieval.maxFiles': 10 }), key);
    assert.notEqual(retrievalKey({ ...DEFAULTS, 'retrieval.enabled': false }), key);
    assert.notEqual(retrievalKey({ ...DEFAULTS, ollamaUrl: 'http://other:11434' }), key);
  });

  it("the context room: the window's context share minus the answer's reserve", () => {
    assert.equal(contextRoom({ maxTokens: 8192, contextTokenBudget: 0.5 }), 3276);
    assert.equal(contextRoom({ maxTokens: 4096, contextTokenBudget: 0.05 }), 0);
  });
});
