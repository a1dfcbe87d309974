// A fixed corpus by kind of content, for exactness measurements of model tokenizers against their references.
// Deterministic: real files shipped in node_modules (TypeScript's lib .d.ts, package READMEs) plus generated text
// from a seeded generator, so every run and every machine measures the same texts.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export type CorpusKind = 'code' | 'prose' | 'cjk' | 'emoji' | 'csv' | 'whitespace' | 'logs' | 'markdown-html';

// Resolved through typescript's package, so the file also works bundled (scripts/bench/16-spm-tokenizer.mjs).
const lib = path.join(path.dirname(require.resolve('typescript/package.json')), 'lib');
const modules = path.resolve(lib, '../..');

/** A seeded linear congruential generator (same sequence on every machine). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

const CJK =
  '的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴';
const CJK_PUNCT = ['，', '。', '、', '：', '「', '」', '！', '？'];
const KANA = 'あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんアイウエオカキクケコサシスセソ';
const EMOJI = ['😀', '😂', '🥲', '🦙', '🚀', '✨', '🔥', '👍🏽', '👩‍💻', '🇯🇵', '❤️', '🎉', '🤖', '☕', '🧪', '📦'];
const WORDS = [
  'the',
  'model',
  'token',
  'window',
  'prompt',
  'count',
  'exact',
  'server',
  'budget',
  'message',
  'context',
  'never',
  'silently',
  'overflow',
  'local',
  'assistant',
  'because',
  'measure',
  'cache',
  'vocabulary',
  'Gemma',
  'Llama',
  'SentencePiece',
  'merge',
  'score',
  'byte',
  'fallback',
  'space',
  'prefix',
];

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)];
}

function prose(rand: () => number, chars: number): string {
  let out = '';
  let sentence = 0;
  while (out.length < chars) {
    let w = pick(rand, WORDS);
    if (sentence === 0) w = w[0].toUpperCase() + w.slice(1);
    sentence++;
    const end = sentence > 6 && rand() < 0.2;
    if (end) sentence = 0;
    out += w + (end ? (rand() < 0.15 ? '.\n\n' : '. ') : rand() < 0.09 ? ', ' : ' ');
  }
  return out;
}

function cjk(rand: () => number, chars: number): string {
  let out = '';
  while (out.length < chars) {
    const n = 4 + Math.floor(rand() * 20);
    for (let i = 0; i < n; i++) out += rand() < 0.15 ? KANA[Math.floor(rand() * KANA.length)] : CJK[Math.floor(rand() * CJK.length)];
    out += pick(rand, CJK_PUNCT);
    if (rand() < 0.1) out += '\n';
  }
  return out;
}

function emoji(rand: () => number, chars: number): string {
  let out = '';
  while (out.length < chars) {
    const r = rand();
    out += r < 0.4 ? pick(rand, EMOJI) : r < 0.8 ? pick(rand, WORDS) + ' ' : pick(rand, EMOJI) + pick(rand, EMOJI) + ' ';
  }
  return out;
}

function csv(rand: () => number, rows: number): string {
  let out = 'id,name,price,quantity,updated_at,ratio\n';
  for (let i = 0; i < rows; i++) {
    const day = String(1 + Math.floor(rand() * 28)).padStart(2, '0');
    out += `${1000 + i},${pick(rand, WORDS)}-${Math.floor(rand() * 100)},${(rand() * 1000).toFixed(2)},${Math.floor(rand() * 500)},2026-08-${day}T${String(Math.floor(rand() * 24)).padStart(2, '0')}:00:00Z,${rand().toFixed(4)}\n`;
  }
  return out;
}

function whitespace(rand: () => number, lines: number): string {
  let out = '';
  for (let i = 0; i < lines; i++) {
    const r = rand();
    const indent = r < 0.3 ? '\t'.repeat(Math.floor(rand() * 5)) : ' '.repeat(Math.floor(rand() * 40));
    out +=
      indent +
      (rand() < 0.7 ? pick(rand, WORDS) + '(' + pick(rand, WORDS) + ');' : '') +
      ' '.repeat(Math.floor(rand() * 3)) +
      '\n'.repeat(1 + Math.floor(rand() * (rand() < 0.1 ? 40 : 3)));
  }
  return out;
}

function logs(rand: () => number, lines: number): string {
  const levels = ['INFO', 'WARN', 'DEBUG', 'ERROR'];
  let out = '';
  for (let i = 0; i < lines; i++) {
    const ms = Math.floor(rand() * 1e9);
    out += `time=2026-08-21T18:${String(Math.floor(rand() * 60)).padStart(2, '0')}:${(rand() * 60).toFixed(3).padStart(6, '0')}Z level=${pick(rand, levels)} source=server.go:${Math.floor(rand() * 900)} msg="${pick(rand, WORDS)} ${pick(rand, WORDS)}" duration=${ms}ns id=0x${Math.floor(rand() * 2 ** 31).toString(16)}\n`;
  }
  return out;
}

/** About `perKind` texts of each kind, each 1-8 K characters. */
export function spmCorpus(perKind = 12): Record<CorpusKind, string[]> {
  const rand = seeded(20260821);
  const code = readdirSync(lib)
    .filter((f) => f.endsWith('.d.ts'))
    .sort()
    .slice(0, perKind)
    .map((f, i) => readFileSync(path.join(lib, f), 'utf8').slice(i * 500, i * 500 + 6000));
  const readmes = readdirSync(modules)
    .sort()
    .map((d) => path.join(modules, d, 'README.md'))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8'))
    .filter((t) => /<[a-z]+[ >]/.test(t))
    .slice(0, perKind)
    .map((t) => t.slice(0, 8000));
  const many = <T>(f: (i: number) => T): T[] => Array.from({ length: perKind }, (_, i) => f(i));
  return {
    code,
    prose: many(() => prose(rand, 1000 + Math.floor(rand() * 5000))),
    cjk: many(() => cjk(rand, 500 + Math.floor(rand() * 2000))),
    emoji: many(() => emoji(rand, 300 + Math.floor(rand() * 1500))),
    csv: many(() => csv(rand, 20 + Math.floor(rand() * 80))),
    whitespace: many(() => whitespace(rand, 20 + Math.floor(rand() * 60))),
    logs: many(() => logs(rand, 10 + Math.floor(rand() * 40))),
    'markdown-html': readmes,
  };
}

/** Short snippets of every kind but markdown-html, for property tests that mix them. */
export function spmSnippets(): string[] {
  const corpus = spmCorpus(6);
  const out: string[] = [];
  for (const [kind, texts] of Object.entries(corpus)) {
    if (kind === 'markdown-html') continue;
    for (const t of texts) {
      const cps = Array.from(t);
      for (let i = 0; i + 200 <= cps.length && i < 2000; i += 173) out.push(cps.slice(i, i + 20 + (i % 180)).join(''));
    }
  }
  return out.filter((s) => !/<\/?[a-z]+>/.test(s));
}
