import { strict as assert } from 'node:assert';
import {
  SUMMARY_REQUEST_MARKER,
  cleanSummary,
  numberTurns,
  splitIntoPieces,
  summaryPrompt,
  summarySystemPrompt,
  transcript,
  turnCount,
  unusableReason,
  wordsFor,
} from '../../../../src/core/conversation/summaryRequest';
import { summaryHeader, summaryMessage, summaryMessageText } from '../../../../src/core/conversation/summaryMessage';
import { charMeter, pairs } from './kit';

describe('the summarize request', () => {
  it('starts with the marker, forbids answering or re-running the task, asks for names and a word limit', () => {
    const system = summarySystemPrompt(410);
    assert.equal(system.split('\n')[0], SUMMARY_REQUEST_MARKER);
    assert.match(system, /do not answer any request in it, do not write code for it, do not continue or re-run its task/);
    assert.match(system, /Name every file, function, class/);
    assert.match(system, /Use the headings Files, Functions and symbols, Decisions, Done, Open questions\. Write at most about 246 words\./);
    assert.equal(wordsFor(410), 246);
    assert.equal(wordsFor(10), 20, 'never asks for fewer than 20 words');
  });

  it('numbers turns by request, from the start of the conversation', () => {
    const turns = [{ role: 'assistant' as const, content: 'Hi' }, ...pairs(['a', 'b', 'c'])];
    assert.deepEqual(
      numberTurns(turns, 3, 7).map((m) => [m.turn, m.role]),
      [
        [2, 'user'],
        [2, 'assistant'],
        [3, 'user'],
        [3, 'assistant'],
      ],
    );
    assert.equal(numberTurns(turns, 0, 1)[0].turn, 1, 'a greeting before the first request belongs to turn 1');
    assert.deepEqual([turnCount(turns, 0), turnCount(turns, 3), turnCount(turns, 7)], [0, 1, 3]);
  });

  it('chains: the prompt holds the first request (not to be answered), the summary so far, and the new turns', () => {
    const messages = numberTurns(pairs(['one', 'two', 'three']), 2, 6);
    const prompt = summaryPrompt({ firstRequest: 'Fix `parse` in a.ts', previous: { toTurn: 1, body: 'Files: `a.ts`' }, messages });
    assert.equal(
      prompt,
      [
        "The conversation's first request (turn 1). It is kept verbatim apart from your summary: do not repeat it, do not answer it.\n<<<\nFix `parse` in a.ts\n>>>",
        'The summary so far (turns 1-1). Start from it.\n<<<\nFiles: `a.ts`\n>>>',
        `New turns to add (turns 2-3):\n${transcript(messages)}`,
        'Write the summary of turns 1-3 now.',
      ].join('\n\n'),
    );
    assert.equal(transcript(messages.slice(0, 1)), '--- Turn 2, user:\ntwo');
    assert.match(summaryPrompt({ firstRequest: '', messages: messages.slice(0, 2) }), /^Turns to summarize \(turn 2\):\n/);
  });

  it('splits turns into pieces that fit, and cuts a message too large for any piece in the middle, marked', () => {
    const meter = charMeter(1);
    const messages = numberTurns(pairs(['a'.repeat(100), 'b'.repeat(100), 'c'.repeat(1000)]), 0, 6);
    const pieces = splitIntoPieces(messages, 300, meter);
    for (const piece of pieces) assert.ok(meter.measure(transcript(piece)) <= 300, `piece of ${meter.measure(transcript(piece))} tokens`);
    assert.deepEqual(
      pieces.map((p) => p.map((m) => `${m.turn}${m.role[0]}`)),
      [['1u', '1a'], ['2u', '2a'], ['3u'], ['3a']],
    );
    const cut = pieces[2][0].content;
    assert.match(cut, /^c+\n\[\.\.\. \d+ tokens truncated \.\.\.\]\nc+$/);
    assert.deepEqual(
      pieces.flat().map((m) => m.turn),
      messages.map((m) => m.turn),
      'every message is in exactly one piece, in order',
    );
  });

  it('takes reasoning out of an answer and refuses answers without words', () => {
    assert.equal(cleanSummary('<think>hmm</think>\n Files: `a.ts`  '), 'Files: `a.ts`');
    assert.equal(cleanSummary('left over reasoning</think>Files: x'), 'Files: x');
    assert.equal(unusableReason(''), 'empty');
    assert.equal(unusableReason('### ... ### !!! ---'), '0 words');
    assert.equal(unusableReason('ok fine'), '2 words');
    assert.equal(unusableReason(`${SUMMARY_REQUEST_MARKER} You condense the earlier part`), 'it repeats the instructions');
    assert.equal(unusableReason('Files: `a.ts`. Decisions: keep the API.'), undefined);
  });
});

describe('the summary message', () => {
  it('is one system message: a header, the first request verbatim as its own part, then the condensed turns', () => {
    const m = summaryMessage({ toTurn: 12, firstRequest: 'Refactor `parseConfig`.\nKeep the API.', firstRequestCut: false, body: 'Files: `a.ts`' });
    assert.equal(m.role, 'system');
    assert.equal(
      m.content,
      'Summary of turns 1-12 (the first request verbatim, then the rest condensed). Therapist wrote it to save room in the context window; the original turns are kept in the conversation.\n\n' +
        "The user's first request (turn 1), verbatim:\nRefactor `parseConfig`.\nKeep the API.\n\n" +
        'Turns 1-12, condensed:\nFiles: `a.ts`',
    );
    assert.match(
      summaryMessageText({ toTurn: 3, firstRequest: 'x', firstRequestCut: true, body: 'b' }),
      /verbatim, cut in the middle to fit \(the whole request is in the conversation\):\nx\n/,
    );
    assert.equal(summaryHeader(3, false).startsWith('Summary of turns 1-3 (condensed).'), true);
  });
});
