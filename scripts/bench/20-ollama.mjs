// Overhead of Therapist's Ollama path (ModelIntegration: optimize + stream parse) against a raw undici request
// to the same simulator, in the same run: time to first token for an 8k prompt, and cost per streamed token.
// Prints ratios; a missed target prints MISSED and never fails the run.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

const CODE = `export function parseConfig(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\\n')) {
    const [key, ...rest] = line.split('=');
    if (key.trim()) out[key.trim()] = rest.join('=').trim();
  }
  return out;
}
`;

/** Starts the simulator CLI in its own process (like a real Ollama) and resolves with its URL and a stop function. */
async function startSimulator(models) {
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [path.join(root, 'test/support/ollamaSimulatorCli.ts'), '--port', '0', '--models', JSON.stringify(models)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /SIMULATOR_URL=(\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
const fmt = (x, d = 2) => x.toFixed(d);

/** Raw baseline: POST the same body with undici, split NDJSON lines, JSON.parse; resolves first-token ms and all lines. */
async function rawChat(url, body, dispatcher) {
  const t0 = performance.now();
  const res = await request(`${url}/api/chat`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher });
  let ttft;
  let rest = '';
  let tokens = 0;
  let text = '';
  for await (const chunk of res.body) {
    rest += chunk.toString('utf8');
    let nl;
    while ((nl = rest.indexOf('\n')) !== -1) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      const obj = JSON.parse(line);
      if (obj.message?.content) {
        if (ttft === undefined) ttft = performance.now() - t0;
        text += obj.message.content;
        tokens++;
      }
    }
  }
  return { ttft, total: performance.now() - t0, tokens, text };
}

export async function run() {
  const core = require(path.join(root, 'dist/core.js'));
  const longReply = Array.from({ length: 4000 }, (_, i) => `w${i % 97}`).join(' ');
  const sim = await startSimulator([
    { name: 'bench:8k', contextLength: 32768, tokensPerChar: 0.3, reply: 'ok.', splitUtf8: false },
    { name: 'bench:long', contextLength: 32768, reply: longReply, splitUtf8: false },
  ]);
  const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
  try {
    const counter = new core.TokenCounter();
    counter.countTokens('warm the tokenizer');
    const mi = new core.ModelIntegration({ ollamaUrl: sim.url, model: 'bench:8k', maxTokens: 8192, tokenCounter: counter, dispatcher });
    // 12 chunks of ~620 GPT-2 tokens each: more than an 8k window holds, so the optimizer really cuts.
    const chunks = (variant) =>
      Array.from({ length: 12 }, (_, i) => ({ text: `// file${i}.ts variant ${variant}\n${CODE.repeat(6)}`, source: `file${i}.ts`, relevance: 100 - i }));
    for (let i = 0; i < 5; i++) await mi.generateResponse(`warm-up ${i}`, chunks('warm'));
    const sent = await (await fetch(`${sim.url}/__sim/requests`)).json();
    const lastBody = JSON.stringify(sent.requests.filter((r) => r.path === '/api/chat').at(-1).body);
    const sample = await mi.getTokenUsageInfo('q', chunks('warm'));

    const raw = [];
    const cold = [];
    const warm = [];
    const optimizeCold = [];
    const optimizeWarm = [];
    const N = 30;
    for (let i = 0; i < N; i++) {
      raw.push((await rawChat(sim.url, lastBody, dispatcher)).ttft);
      for (const [list, variant] of [
        [cold, `cold-${i}`],
        [warm, 'warm'],
      ]) {
        const t0 = performance.now();
        let first;
        await mi.generateResponse(`Question ${i}: what does parseConfig do?`, chunks(variant), {
          onToken: () => {
            first ??= performance.now() - t0;
          },
        });
        list.push(first);
      }
      const t1 = performance.now();
      counter.optimizePrompt(core.DEFAULT_SYSTEM_PROMPT, `Question ${i}`, chunks(`opt-${i}`), { maxTokens: 8192, calibration: 1.1, perMessageOverhead: 5 });
      optimizeCold.push(performance.now() - t1);
      const t2 = performance.now();
      counter.optimizePrompt(core.DEFAULT_SYSTEM_PROMPT, `Question ${i}`, chunks('warm'), { maxTokens: 8192, calibration: 1.1, perMessageOverhead: 5 });
      optimizeWarm.push(performance.now() - t2);
    }
    const rawMed = median(raw);
    console.log(
      `8k prompt (${sample.totalTokens} planned tokens of ${sample.limit}, ${sample.truncatedSections.join(',') || 'nothing'} cut), ${N} runs, medians (p90):`,
    );
    console.log(`  raw undici request, time to first token      ${fmt(rawMed)} ms (${fmt(p90(raw))})`);
    for (const [label, list] of [
      ['ModelIntegration, new context (cold count cache)', cold],
      ['ModelIntegration, same context (warm count cache)', warm],
    ]) {
      const added = median(list) - rawMed;
      console.log(
        `  ${label.padEnd(46)} ${fmt(median(list))} ms (${fmt(p90(list))}) -> +${fmt(added)} ms, ratio ${fmt(median(list) / rawMed)}x  [target < 2 ms: ${added < 2 ? 'ok' : 'MISSED'}]`,
      );
    }
    console.log(`  of which optimizePrompt alone: cold ${fmt(median(optimizeCold))} ms, warm ${fmt(median(optimizeWarm))} ms`);

    // Per streamed token: the same 4000-token answer through a raw parse and through StreamingService.
    const service = new core.StreamingService({ ollamaUrl: sim.url, dispatcher });
    const body = { model: 'bench:long', messages: [{ role: 'user', content: 'go' }], options: { num_ctx: 8192, num_predict: 8192 } };
    const rawPer = [];
    const svcPer = [];
    for (let i = 0; i < 12; i++) {
      const r = await rawChat(sim.url, JSON.stringify({ ...body, stream: true }), dispatcher);
      const t0 = performance.now();
      let n = 0;
      const out = await service.chat(body, {
        onToken: () => {
          n++;
        },
      });
      const t = performance.now() - t0;
      if (i < 2) continue; // warm-up
      rawPer.push((r.total * 1000) / r.tokens);
      svcPer.push((t * 1000) / n);
      if (out.text !== r.text) throw new Error('StreamingService and the raw parse disagree on the text');
    }
    const addedPer = median(svcPer) - median(rawPer);
    console.log(`streamed answer of ${longReply.split(' ').length} tokens, 10 runs, medians:`);
    console.log(
      `  raw undici + NDJSON parse ${fmt(median(rawPer))} µs/token; StreamingService ${fmt(median(svcPer))} µs/token -> +${fmt(addedPer)} µs/token, ratio ${fmt(median(svcPer) / median(rawPer))}x  [target < 20 µs: ${addedPer < 20 ? 'ok' : 'MISSED'}]`,
    );

    // The client's parsing alone, without the network or the server: NDJSON bytes in 1 KiB reads.
    const lines = longReply
      .split(' ')
      .map(
        (w, i) =>
          `{"model":"bench:long","created_at":"2026-08-21T18:48:22.123456789Z","message":{"role":"assistant","content":"${i ? ' ' : ''}${w}"},"done":false}\n`,
      );
    const bytes = Buffer.from(lines.join(''));
    const reads = [];
    for (let i = 0; i < bytes.length; i += 1024) reads.push(bytes.subarray(i, i + 1024));
    const parseRaw = () => {
      let rest = '';
      let text = '';
      for (const r of reads) {
        rest += r.toString('utf8');
        let nl;
        while ((nl = rest.indexOf('\n')) !== -1) {
          text += JSON.parse(rest.slice(0, nl)).message.content;
          rest = rest.slice(nl + 1);
        }
      }
      return text;
    };
    const parseOurs = () => {
      const sp = new core.NdjsonLineSplitter();
      let text = '';
      for (const r of reads) for (const l of sp.push(r)) text += core.chunkText(core.parseChunkLine(l));
      return text;
    };
    const rawParse = [];
    const ourParse = [];
    for (let i = 0; i < 25; i++) {
      let t = performance.now();
      parseRaw();
      rawParse.push(((performance.now() - t) * 1000) / lines.length);
      t = performance.now();
      parseOurs();
      ourParse.push(((performance.now() - t) * 1000) / lines.length);
    }
    if (parseRaw() !== parseOurs()) throw new Error('parsers disagree');
    console.log(
      `  parsing only (no network): naive split + JSON.parse ${fmt(median(rawParse))} µs/token; NdjsonLineSplitter (streaming UTF-8) ${fmt(median(ourParse))} µs/token`,
    );
    mi.dispose();
    counter.dispose();
  } finally {
    await dispatcher.close();
    await sim.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
