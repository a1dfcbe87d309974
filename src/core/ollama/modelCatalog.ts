// The models a server has installed, each with the window it was trained for, for the panel's model picker.
// GET /api/tags lists them; POST /api/show (non-verbose: small) gives each one's context_length.
import { messageOf, type Logger, silentLogger } from '../runtime';
import { requestJson, type OllamaEndpoint } from './http';
import { parseShow } from './modelInfo';
import type { ShowResponse } from './wire';

/** One installed model. */
export interface CatalogModel {
  /** As `ollama list` shows it (the value for therapist.model). */
  name: string;
  /** Trained context from /api/show; undefined when the server did not say or could not be asked. */
  trainedContext?: number;
  parameterSize?: string;
  quantization?: string;
  family?: string;
  /** Bytes on disk. */
  size?: number;
}

/** What the server runs, as far as Therapist can tell. */
export interface ServerInfo {
  /** `GET /api/version`; undefined for servers that do not answer it. */
  version?: string;
  /** The project's demo server says so here (a real Ollama never does): its answers are canned, not a model's. */
  demo?: string;
}

interface TagsResponse {
  models?: { name?: string; model?: string; size?: number; details?: { family?: string; parameter_size?: string; quantization_level?: string } }[];
}

/** How many /api/show look-ups run at once (a server with dozens of models should not be hit all at once). */
const SHOW_CONCURRENCY = 4;

/** The installed models, sorted by name, each with its trained window when /api/show answers. Throws when the server cannot be reached. */
export async function listModels(endpoint: OllamaEndpoint, logger: Logger = silentLogger): Promise<CatalogModel[]> {
  const tags = await requestJson<TagsResponse>(endpoint, 'GET', '/api/tags', undefined);
  const models: CatalogModel[] = (tags.models ?? [])
    .map((m) => ({
      name: m.name ?? m.model ?? '',
      size: m.size,
      family: m.details?.family,
      parameterSize: m.details?.parameter_size,
      quantization: m.details?.quantization_level,
    }))
    .filter((m) => m.name !== '')
    .sort((a, b) => a.name.localeCompare(b.name));
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < models.length; i = next++) {
      try {
        const show = parseShow(await requestJson<ShowResponse>(endpoint, 'POST', '/api/show', { model: models[i].name }, { model: models[i].name }));
        models[i].trainedContext = show.trainedContext;
      } catch (error) {
        // A model whose facts cannot be read is still listed: it can be chosen, its window is found on first use.
        logger.warn(`/api/show for ${models[i].name} failed while listing models: ${messageOf(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SHOW_CONCURRENCY, models.length) }, worker));
  return models;
}

/** The server's version (and whether it is the project's demo server). Never throws: an old or odd server answers nothing. */
export async function serverInfo(endpoint: OllamaEndpoint): Promise<ServerInfo> {
  try {
    const v = await requestJson<{ version?: unknown; therapist_demo?: unknown }>(endpoint, 'GET', '/api/version', undefined, { timeoutMs: 5000 });
    return {
      version: typeof v.version === 'string' ? v.version : undefined,
      demo: typeof v.therapist_demo === 'string' ? v.therapist_demo : undefined,
    };
  } catch {
    return {};
  }
}

/** True when two model names mean the same model (`x` is `x:latest`, as Ollama resolves it). */
export function sameModel(a: string, b: string): boolean {
  const norm = (s: string) => (s.includes(':') ? s : `${s}:latest`);
  return norm(a.trim()) === norm(b.trim());
}
