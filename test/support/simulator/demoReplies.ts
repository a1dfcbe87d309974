// Canned answers for `npm run demo`: the simulator plays Ollama so a newcomer can try the panel without a model.
// They are plainly labelled as canned and say what a real model would do, so nobody mistakes them for one.
import type { SimMessage } from './models';

const LABEL = '*Demo server: a canned answer, not written by a model.*';

/** Identifiers in a piece of code, most frequent first (what a canned "explanation" can honestly point at). */
function identifiers(code: string): string[] {
  const counts = new Map<string, number>();
  for (const m of code.matchAll(/\b[A-Za-z_][A-Za-z0-9_]{2,}\b/g)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  const keywords = new Set([
    'const',
    'let',
    'var',
    'function',
    'return',
    'export',
    'import',
    'from',
    'class',
    'def',
    'self',
    'this',
    'new',
    'for',
    'while',
    'if',
    'else',
    'true',
    'false',
    'null',
    'None',
    'async',
    'await',
  ]);
  return [...counts.entries()]
    .filter(([w]) => !keywords.has(w))
    .sort((a, b) => b[1] - a[1])
    .map(([w]) => w)
    .slice(0, 5);
}

/** The canned answer to a conversation, chosen by what its last user message asks. */
export function demoReply(messages: readonly SimMessage[]): string {
  const last = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const turn = messages.filter((m) => m.role === 'user').length;
  const explain = /Explain this code from ([^:\n]+):\n\n```(\w*)\n([\s\S]*?)\n```/.exec(last);
  if (explain) {
    const [, where, language, code] = explain;
    const names = identifiers(code);
    const head = code.split('\n').slice(0, 4).join('\n');
    return [
      LABEL,
      '',
      `You selected code from **${where}**${names.length ? `; it names ${names.map((n) => `\`${n}\``).join(', ')}` : ''}.`,
      '',
      '```' + language,
      head,
      '```',
      '',
      'A real model would now explain what this code does, using the code around the selection and your other open editors, which Therapist sent as context (the meter above shows how many tokens each part took).',
      '',
      'Things to try in this demo:',
      '',
      '1. **Stop**: ask "tell me a long story" and press Stop while it streams; the partial answer stays.',
      '2. **Truncation**: choose the `demo-small` model in the header (a 1k window) and paste a long text: the meter warns before you send, and the answer says what was cut.',
      '3. **The dashboard**: run *Therapist: Show Token Usage* from the command palette.',
    ].join('\n');
  }
  if (/\b(long|story|essay|stream)\b/i.test(last)) {
    const steps = Array.from(
      { length: 40 },
      (_, i) => `${i + 1}. Step ${i + 1} of a deliberately long canned answer, streamed slowly so that Stop can be tried.`,
    );
    return [LABEL, '', ...steps].join('\n');
  }
  return [
    LABEL,
    '',
    `This is turn ${turn} of the conversation. You asked: "${last.replace(/\s+/g, ' ').slice(0, 120)}${last.length > 120 ? '…' : ''}"`,
    '',
    'With Ollama running and a model pulled (`ollama pull qwen2.5-coder:7b`), a model answers here. Therapist counted this prompt before sending it, told the server its window (`num_ctx`), and the meter under your message shows how the window was used.',
    '',
    '```ts',
    '// Code blocks get Copy and Insert at cursor buttons.',
    'export const answer = (question: string): string => `a real model would answer: ${question}`;',
    '```',
  ].join('\n');
}
