import { Meter } from '../../../src/core/tokens/meter';
import { TiktokenTokenizer, loadGpt2Encoding } from '../../../src/core/tokens/tiktokenTokenizer';
import { fitText } from '../../../src/core/tokens/truncation';
import { graphemeCeil } from '../../../src/core/tokens/graphemes';
import { assertCleanCut, graphemeBoundaries } from './graphemeCheck';
const tk = new TiktokenTokenizer(loadGpt2Encoding());
const meter = new Meter(tk, (t) => tk.count(t));
const family = '👨‍👩‍👧‍👦';
for (const text of [family.repeat(60), '🇫🇷🇩🇪🇯🇵'.repeat(40), 'e\u0301'.repeat(300), 'a👍🏽b'.repeat(80)]) for (const budget of [20, 33, 57, 90]) {
  const m = fitText(text, budget, meter, 'middle');
  try { assertCleanCut(text, m.text); } catch (e) {
    const tail = m.text.slice(m.text.lastIndexOf(']') + 2);
    const s = text.length - tail.length; const b = graphemeBoundaries(text);
    const ss = tk.suffixStart(text, 10);
    console.log(JSON.stringify(text.slice(0,12)), budget, 'tailStart', s, 'isB', b.has(s), 'ceil(s)', graphemeCeil(text, s), [...b].filter(x=>Math.abs(x-s)<12));
  }
}
