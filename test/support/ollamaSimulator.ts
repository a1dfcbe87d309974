import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimEmbeddings, type SimEmbeddingModelConfig } from './simulator/embeddings';
import { handleGeneration, sendError, sendJson } from './simulator/generation';
import type { SimModelConfig } from './simulator/models';
import { modelDetails, modelDigest, showBody } from './simulator/showModel';
import { SimState, type SimRequestRecord } from './simulator/state';
import { TEXT_404, TEXT_405, goJson, parametersText } from './simulator/wireFormat';

export type { SimEmbeddingModelConfig } from './simulator/embeddings';
export type { SimFailure, SimModelConfig } from './simulator/models';
export type { SimRequestRecord } from './simulator/state';

/** How to start a simulator. */
export interface OllamaSimulatorOptions {
  models?: SimModelConfig[];
  /** Embedding models for /api/embed (default: nomic-embed-text, 768 dims, 2048-token context). */
  embeddingModels?: SimEmbeddingModelConfig[];
  /** num_ctx when neither the request nor the Modelfile sets it (Ollama's VRAM-based default; 4096 on most machines). */
  defaultNumCtx?: number;
  version?: string;
  /** Play npm run demo's server: /api/version says `therapist_demo` (the panel shows a badge). */
  demo?: string;
  port?: number;
  host?: string;
}

const CONTROL_PREFIX = '/__sim/';

/**
 * A local HTTP server that behaves like Ollama for tests (see shared/ollama-wire.md): streaming by default,
 * exact error statuses and texts, silent truncation, metrics omitted when zero, Go-style escapes, UTF-8
 * characters split across writes, disconnects noticed. Free of test-framework imports: unit tests, the
 * extension-host suite and the CLI (ollamaSimulatorCli.ts) all use it. `/__sim/` is the only extension.
 */
export class OllamaSimulator {
  private server: Server | undefined;
  private readonly state: SimState;
  /** The embedding models (configure, remove) behind /api/embed. */
  readonly embeddings: SimEmbeddings;
  private readonly port: number;
  private readonly host: string;

  constructor(options: OllamaSimulatorOptions = {}) {
    this.state = new SimState(options.models ?? [{ name: 'llama3.2:latest' }], options.defaultNumCtx ?? 4096, options.version ?? '0.33.0');
    this.state.demo = options.demo;
    this.embeddings = new SimEmbeddings(options.embeddingModels ?? [{ name: 'nomic-embed-text:latest' }]);
    this.port = options.port ?? 0;
    this.host = options.host ?? '127.0.0.1';
  }

  /** Starts listening; resolves when `url` is valid. */
  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.port, this.host, () => resolve());
    });
  }

  /** The base URL, e.g. http://127.0.0.1:40123. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('OllamaSimulator is not started');
    return `http://${this.host}:${address.port}`;
  }

  /** Every request received (control API excluded), oldest first. */
  get requests(): readonly SimRequestRecord[] {
    return this.state.records;
  }

  /** Times a model was loaded or reloaded (a changing num_ctx reloads, like Ollama). */
  get reloads(): number {
    return this.state.reloads;
  }

  /** Adds a model or changes some of its settings. */
  configureModel(config: SimModelConfig): void {
    this.state.configure(config);
  }

  removeModel(name: string): void {
    this.state.remove(name);
  }

  /** Back to the starting models; forgets requests and loaded models. */
  reset(): void {
    this.state.reset();
    this.embeddings.reset();
  }

  set defaultNumCtx(value: number) {
    this.state.defaultNumCtx = value;
  }

  /** Resolves when no request is in flight: after a client aborts, the server has noticed. */
  settled(): Promise<void> {
    return this.state.settled();
  }

  /** Stops the server and drops open connections. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    if (path.startsWith(CONTROL_PREFIX)) return this.control(method, path, req, res);
    const record = this.state.begin(method, path);
    try {
      await this.api(method, path, req, res, record);
    } catch (error) {
      if (!res.headersSent) sendError(res, record, 500, error instanceof Error ? error.message : String(error));
      else res.destroy();
    } finally {
      this.state.end(record, !record.clientDisconnected && record.status !== undefined);
    }
  }

  private async api(method: string, path: string, req: IncomingMessage, res: ServerResponse, record: SimRequestRecord): Promise<void> {
    const routes: Record<string, string[]> = {
      '/': ['GET', 'HEAD'],
      '/api/version': ['GET'],
      '/api/tags': ['GET'],
      '/api/ps': ['GET'],
      '/api/show': ['POST'],
      '/api/chat': ['POST'],
      '/api/generate': ['POST'],
      '/api/embed': ['POST'],
    };
    const allowed = routes[path];
    if (!allowed) return plain(res, record, 404, TEXT_404);
    if (!allowed.includes(method)) return plain(res, record, 405, TEXT_405);
    if (path === '/') return plain(res, record, 200, 'Ollama is running');
    if (path === '/api/version') return sendJson(res, record, { version: this.state.version, ...(this.state.demo ? { therapist_demo: this.state.demo } : {}) });
    if (path === '/api/tags')
      return sendJson(res, record, {
        models: [...this.state.models.values()].map((m) => ({
          name: m.name,
          model: m.name,
          modified_at: '2026-08-01T10:00:00.5Z',
          size: 4_920_753_328,
          digest: modelDigest(m),
          details: modelDetails(m),
        })),
      });
    if (path === '/api/ps') return sendJson(res, record, { models: this.psModels() });
    const raw = await readBody(req);
    if (raw.trim() === '') return sendError(res, record, 400, 'missing request body');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return sendError(res, record, 400, `invalid character '${raw.trim()[0]}' looking for beginning of value`);
    }
    record.body = body;
    if (path === '/api/show') return this.show(res, record, body);
    if (path === '/api/embed') return this.embeddings.handle(res, record, body);
    return handleGeneration(path === '/api/chat' ? 'chat' : 'generate', this.state, req, res, body, record);
  }

  private show(res: ServerResponse, record: SimRequestRecord, body: Record<string, unknown>): void {
    const name = typeof body.model === 'string' && body.model ? body.model : typeof body.name === 'string' ? body.name : '';
    record.model = name || undefined;
    if (!name) return sendError(res, record, 400, 'model is required');
    const embedding = this.embeddings.show(name);
    if (embedding) return sendJson(res, record, embedding);
    const m = this.state.find(name);
    if (!m) return sendError(res, record, 404, `model '${name}' not found`);
    if (m.vocab) {
      record.status = 200;
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      return void res.end(showBody(m, body.verbose === true));
    }
    const params: [string, string | number][] = [];
    if (m.modelfileNumCtx !== undefined) params.push(['num_ctx', m.modelfileNumCtx]);
    params.push(['stop', '"<|eot_id|>"'], ['stop', '"<|start_header_id|>"']);
    sendJson(res, record, {
      license: 'LLAMA 3.2 COMMUNITY LICENSE AGREEMENT',
      modelfile: `FROM ${m.name}\n${m.modelfileNumCtx !== undefined ? `PARAMETER num_ctx ${m.modelfileNumCtx}\n` : ''}`,
      parameters: parametersText(params),
      template: m.template ?? '{{ if .System }}<|start_header_id|>system<|end_header_id|>{{ .System }}<|eot_id|>{{ end }}',
      details: modelDetails(m),
      model_info: {
        'general.architecture': m.architecture,
        'general.parameter_count': 8_030_261_248,
        [`${m.architecture}.context_length`]: m.contextLength,
        [`${m.architecture}.embedding_length`]: 4096,
      },
      capabilities: ['completion', 'tools', ...(m.thinking !== undefined ? ['thinking'] : [])],
      modified_at: '2026-08-01T10:00:00.5Z',
    });
  }

  private psModels(): unknown[] {
    return [...this.state.loaded.entries()].map(([name, loaded]) => {
      const m = this.state.models.get(name);
      return {
        name,
        model: name,
        size: 6_654_289_920,
        digest: m ? modelDigest(m) : '',
        details: m ? modelDetails(m) : {},
        expires_at: loaded.expiresAt,
        size_vram: 6_654_289_920,
        context_length: loaded.numCtx,
      };
    });
  }

  private async control(method: string, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(value));
    };
    const route = `${method} ${path.slice(CONTROL_PREFIX.length - 1)}`;
    try {
      if (route === 'GET /requests') return reply(200, { requests: this.state.records, reloads: this.state.reloads });
      if (route === 'GET /models') return reply(200, { models: [...this.state.models.values()], loaded: this.psModels() });
      if (route === 'POST /reset') {
        this.reset();
        return reply(200, { ok: true });
      }
      if (route === 'POST /models') {
        const config = JSON.parse(await readBody(req)) as SimModelConfig;
        if (!config || typeof config.name !== 'string') return reply(400, { error: 'name is required' });
        this.configureModel(config);
        return reply(200, { ok: true, model: this.state.models.get(config.name) });
      }
      if (method === 'DELETE' && path.startsWith(`${CONTROL_PREFIX}models/`)) {
        this.removeModel(decodeURIComponent(path.slice(`${CONTROL_PREFIX}models/`.length)));
        return reply(200, { ok: true });
      }
      if (route === 'POST /config') {
        const config = JSON.parse(await readBody(req)) as { defaultNumCtx?: number; version?: string; demo?: string | null };
        if (config.defaultNumCtx !== undefined) this.state.defaultNumCtx = config.defaultNumCtx;
        if (config.version !== undefined) this.state.version = config.version;
        if (config.demo !== undefined) this.state.demo = config.demo ?? undefined;
        return reply(200, { ok: true });
      }
      reply(404, { error: `unknown control route ${route}` });
    } catch (error) {
      reply(400, { error: error instanceof Error ? error.message : String(error) });
    }
  }
}

function plain(res: ServerResponse, record: SimRequestRecord, status: number, text: string): void {
  record.status = status;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** Go-style JSON, exported for tests that build expected bytes. */
export { goJson };
