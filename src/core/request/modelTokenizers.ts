// The served model's own tokenizer, loaded in the background and never on the send path: from a disk cache keyed
// by the model's digest when there is one, else from `/api/show` verbose (about 10 MB for a 150k vocabulary),
// built, and cached. Until it is ready (or when it cannot be read: safetensors/MLX and cloud models, an unknown
// pre-tokenizer, an old server) requests count with GPT-2 and the per-class calibration.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { requestJson, type OllamaEndpoint } from '../ollama/http';
import { sameModel } from '../ollama/modelCatalog';
import { messageOf, silentLogger, type Logger } from '../runtime';
import { loadBpe, readLoadExtras, serializeBpe, type ModelBpeTokenizer, modelTokenizerFromShow } from '../tokens/model';
import { readGgufVocab } from '../tokens/model/ggufVocab';
import { createSpmTokenizer, loadSpm, serializeSpm, type SpmTokenizer } from '../tokens/model/spm';

/** An exact tokenizer of a served model: counts ordinary text, and whole rendered prompts as the server does. */
export type ExactTokenizer = ModelBpeTokenizer | SpmTokenizer;

/** Where built tokenizers are kept between sessions (the host gives a folder in the extension's global storage). */
export interface TokenizerCacheStore {
  read(key: string): Uint8Array | undefined;
  write(key: string, data: Uint8Array): void;
}

/** A cache in one folder, one file per model digest, written atomically (a torn file is simply rebuilt). */
export class FileTokenizerCache implements TokenizerCacheStore {
  constructor(private readonly dir: string) {}
  read(key: string): Uint8Array | undefined {
    try {
      return readFileSync(this.file(key));
    } catch {
      return undefined;
    }
  }
  write(key: string, data: Uint8Array): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.file(key)}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, this.file(key));
  }
  private file(key: string): string {
    return path.join(this.dir, `${key.replace(/[^a-zA-Z0-9_.-]/g, '_')}.tok`);
  }
}

/** How a model's prompts are counted. */
export type ModelCounting =
  | { state: 'exact'; tokenizer: ExactTokenizer; label: string; bosText?: string; loadMs: number; from: 'cache' | 'server' }
  | { state: 'loading' }
  | { state: 'unavailable'; reason: string };

// The cache file: one JSON header line ({kind, bos}) then the tokenizer's own serialized form.
interface PackHeader {
  kind: 'bpe' | 'spm';
  /** The BOS token's text (Ollama strips it from the front of a rendered prompt when the server adds BOS). */
  bos?: string;
}

function pack(tokenizer: ExactTokenizer, bos: string | undefined): Uint8Array {
  const kind = tokenizer.name === 'spm' ? 'spm' : 'bpe';
  const body = kind === 'spm' ? serializeSpm(tokenizer as SpmTokenizer) : Buffer.from(serializeBpe((tokenizer as ModelBpeTokenizer).modelData), 'utf8');
  const header = Buffer.from(`${JSON.stringify({ kind, bos } satisfies PackHeader)}\n`, 'utf8');
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

function unpack(data: Uint8Array): { tokenizer: ExactTokenizer; bos?: string } {
  const nl = data.indexOf(0x0a);
  if (nl < 0) throw new Error('no header');
  const header = JSON.parse(Buffer.from(data.subarray(0, nl)).toString('utf8')) as PackHeader;
  const body = data.subarray(nl + 1);
  if (header.kind === 'spm') return { tokenizer: loadSpm(body), bos: header.bos };
  if (header.kind === 'bpe') return { tokenizer: loadBpe(Buffer.from(body).toString('utf8')), bos: header.bos };
  throw new Error(`unknown tokenizer kind ${JSON.stringify(header.kind)}`);
}

/** "qwen2 (exact)", "SentencePiece (exact)": how the meter and the usage line name exact counts. */
export function exactLabel(tokenizer: ExactTokenizer): string {
  return tokenizer.name === 'spm' ? 'SentencePiece (exact)' : `${(tokenizer as ModelBpeTokenizer).pre || 'BPE'} (exact)`;
}

interface Entry {
  counting: ModelCounting;
  settled: Promise<void>;
}

/** Loads each model's tokenizer once per server, in the background; `counting` never waits for it. */
export class ModelTokenizers {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly endpoint: () => OllamaEndpoint,
    private readonly cache: TokenizerCacheStore | undefined,
    private readonly logger: Logger = silentLogger,
    /** Told when a model's counting changes (its exact tokenizer became ready): the host redraws the meter. */
    private readonly onChange: (model: string) => void = () => undefined,
  ) {}

  /** How `model` is counted now; starts loading its tokenizer the first time it is asked. */
  counting(model: string): ModelCounting {
    return this.entry(model).counting;
  }

  /** Resolves once `model`'s tokenizer is ready or known to be unavailable (for tests, benchmarks and a warm-up). */
  settled(model: string): Promise<ModelCounting> {
    const entry = this.entry(model);
    return entry.settled.then(() => entry.counting);
  }

  /** Forgets everything (the server URL changed, or a model was re-pulled). */
  invalidate(model?: string): void {
    if (model === undefined) this.entries.clear();
    else for (const key of [...this.entries.keys()]) if (key.endsWith(`\n${model}`)) this.entries.delete(key);
  }

  private entry(model: string): Entry {
    const key = `${this.endpoint().baseUrl}\n${model}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const created: Entry = { counting: { state: 'loading' }, settled: Promise.resolve() };
      created.settled = this.load(model).then(
        (counting) => {
          created.counting = counting;
          if (counting.state === 'exact')
            this.logger.info(
              `model ${model}: counting with its own tokenizer, ${counting.label}, loaded from the ${counting.from} in ${Math.round(counting.loadMs)} ms`,
            );
          else if (counting.state === 'unavailable')
            this.logger.info(`model ${model}: its tokenizer cannot be read (${counting.reason}); counting with GPT-2 and a per-class calibration`);
          this.onChange(model);
        },
        (error: unknown) => {
          created.counting = { state: 'unavailable', reason: messageOf(error) };
          this.onChange(model);
        },
      );
      entry = created;
      this.entries.set(key, entry);
    }
    return entry;
  }

  private async load(model: string): Promise<ModelCounting> {
    const endpoint = this.endpoint();
    const started = performance.now();
    const digest = await this.digestOf(endpoint, model);
    const cached = digest && this.cache?.read(digest);
    if (cached) {
      try {
        const { tokenizer, bos } = unpack(cached);
        return { state: 'exact', tokenizer, label: exactLabel(tokenizer), bosText: bos, loadMs: performance.now() - started, from: 'cache' };
      } catch (error) {
        this.logger.warn(`the cached tokenizer of ${model} is unusable (${messageOf(error)}); reading it from the server again`);
      }
    }
    let show: { model_info?: Record<string, unknown> };
    try {
      show = await requestJson(endpoint, 'POST', '/api/show', { model, verbose: true }, { model, timeoutMs: 60_000 });
    } catch (error) {
      return { state: 'unavailable', reason: `/api/show verbose failed: ${messageOf(error)}` };
    }
    const vocab = readGgufVocab(show.model_info);
    if (!vocab)
      return { state: 'unavailable', reason: 'the model has no GGUF tokenizer (safetensors, MLX or a cloud model, or a server before verbose /api/show)' };
    let tokenizer: ExactTokenizer;
    try {
      tokenizer = vocab.model === 'llama' ? createSpmTokenizer(vocab, readLoadExtras(show.model_info)) : modelTokenizerFromShow(show.model_info)!;
    } catch (error) {
      return { state: 'unavailable', reason: messageOf(error) };
    }
    const bos = vocab.bosTokenId !== undefined ? vocab.tokens[vocab.bosTokenId] : undefined;
    if (digest && this.cache) {
      try {
        this.cache.write(digest, pack(tokenizer, bos));
      } catch (error) {
        this.logger.warn(`the tokenizer of ${model} could not be cached: ${messageOf(error)}`);
      }
    }
    return { state: 'exact', tokenizer, label: exactLabel(tokenizer), bosText: bos, loadMs: performance.now() - started, from: 'server' };
  }

  /** The model's digest from /api/tags (what identifies its weights and tokenizer); undefined when the server does not say. */
  private async digestOf(endpoint: OllamaEndpoint, model: string): Promise<string | undefined> {
    try {
      const tags = await requestJson<{ models?: { name?: string; model?: string; digest?: string }[] }>(endpoint, 'GET', '/api/tags', undefined);
      const entry = tags.models?.find((m) => sameModel(m.name ?? m.model ?? '', model));
      return typeof entry?.digest === 'string' && entry.digest ? entry.digest : undefined;
    } catch {
      return undefined;
    }
  }
}
