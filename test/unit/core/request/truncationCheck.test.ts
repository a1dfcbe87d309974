import assert from 'node:assert/strict';
import { serverCutNotice } from '../../../../src/core/request/notices';
import { checkServerTruncation, promptEvalCountIsWhole, type TruncationCheckInput } from '../../../../src/core/request/truncationCheck';
import { noticeText } from '../../../../src/shared/notices';

const base = (over: Partial<TruncationCheckInput>): TruncationCheckInput => ({
  expectedPromptTokens: 3900,
  promptEvalCount: 3900,
  numCtx: 4096,
  counting: { exact: true },
  refusesInsteadOfCutting: false,
  ...over,
});

describe('the after-the-answer check for a silent server-side cut', () => {
  it('never suspects a server that refuses instead of cutting (truncate:false honoured, Ollama 0.12.6+)', () => {
    assert.equal(checkServerTruncation(base({ promptEvalCount: 1000, refusesInsteadOfCutting: true })).suspected, false);
  });

  it('with exact counts on an old server: a message drop or a token cut is any shortfall beyond 1%', () => {
    const dropped = checkServerTruncation(base({ promptEvalCount: 3100 }));
    assert.equal(dropped.suspected, true);
    assert.equal(
      noticeText(serverCutNotice(dropped, 3900, 4096)),
      'Ollama evaluated only 3100 prompt tokens where about 3900 were sent (num_ctx 4096): the server may have truncated the prompt silently, so the answer may have missed part of it. Remove some context or start a new conversation.',
    );
    assert.equal(checkServerTruncation(base({ promptEvalCount: 3880 })).suspected, false, 'within 1% (SentencePiece vocabularies Ollama converted)');
  });

  it('a count that fills num_ctx exactly (servers before 0.30 cut to num_ctx)', () => {
    const check = checkServerTruncation(base({ expectedPromptTokens: 5000, promptEvalCount: 4096, counting: { exact: false, samples: 0, recentError: 0 } }));
    assert.equal(check.suspected, true);
    assert.match(noticeText(serverCutNotice(check, 5000, 4096)), /evaluated 4096 prompt tokens, its whole window/);
  });

  it("with the GPT-2 fallback: lenient before the fit has learned (its priors over-count), then by the fit's own error", () => {
    const fallback = (samples: number, recentError: number, actual: number) =>
      checkServerTruncation(base({ expectedPromptTokens: 3000, promptEvalCount: actual, numCtx: 8192, counting: { exact: false, samples, recentError } }))
        .suspected;
    assert.equal(fallback(0, 0, 2100), false, 'a prior that over-counted by 40% is no cut');
    assert.equal(fallback(0, 0, 1200), true, 'losing more than half is');
    assert.equal(fallback(5, 0.01, 2100), true, 'a good fit: 30% short is a cut');
    assert.equal(fallback(5, 0.08, 2500), false, 'a fit that was 8% off lately: 17% short is within 3x its error');
    assert.equal(checkServerTruncation(base({ promptEvalCount: undefined })).suspected, false);
  });

  it('Ollama 0.30.0 reported only the uncached prompt (#16414): its counts are never trusted', () => {
    assert.equal(promptEvalCountIsWhole('0.30.0'), false);
    assert.equal(promptEvalCountIsWhole('0.30.1'), true);
    assert.equal(promptEvalCountIsWhole(undefined), true);
  });
});
