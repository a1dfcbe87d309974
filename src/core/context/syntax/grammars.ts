import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Language, Parser } from '@vscode/tree-sitter-wasm';
import { TherapistError } from '../../errors';
import { messageOf } from '../../runtime';
import type { LanguageSpec } from './languages';

// The runtime is the tree-sitter.js/tree-sitter.wasm that @vscode/tree-sitter-wasm ships WITH its grammars
// (tree-sitter 0.25.1). web-tree-sitter 0.27 also loads these grammars (ABI 14 and 15 both pass, measured),
// and parses at the same speed (lib.dom.d.ts, 1.9 MB: 87 ms vs 90 ms), but using the runtime built together
// with the grammars keeps one folder to ship: the extension copies that folder next to dist/ and passes it.

/** The grammar folder inside node_modules (tests, scripts). A bundled extension passes its own folder. */
export function defaultGrammarDir(): string {
  const require = createRequire(__filename);
  return path.dirname(require.resolve('@vscode/tree-sitter-wasm'));
}

/** A grammar or the tree-sitter runtime could not be loaded: that language falls back to line windows. */
export class GrammarLoadError extends TherapistError {
  readonly code = 'grammar-load';
  constructor(
    readonly grammar: string,
    readonly file: string,
    detail: string,
  ) {
    super(
      `The ${grammar} grammar could not be loaded from ${file}: ${detail}.`,
      'Those files are indexed as line windows instead of functions and classes. Reinstall the extension if this persists.',
      ['openLog'],
    );
  }
}

// Parser.init sets up ONE WebAssembly module per thread, whatever folder later grammars come from; the
// promise is kept so concurrent first uses share it. This is the only module-level state of the syntax code.
let runtimeReady: Promise<void> | undefined;

function initRuntime(grammarDir: string): Promise<void> {
  const wasm = path.join(grammarDir, 'tree-sitter.wasm');
  runtimeReady ??= Parser.init({ locateFile: () => wasm }).catch((error: unknown) => {
    runtimeReady = undefined;
    throw new GrammarLoadError('tree-sitter runtime', wasm, messageOf(error));
  });
  return runtimeReady;
}

/** Loads grammars on first use from one folder and keeps one parser per language. */
export class GrammarSet {
  private readonly parsers = new Map<string, Promise<Parser>>();
  private readonly failures = new Map<string, GrammarLoadError>();

  constructor(readonly grammarDir: string = defaultGrammarDir()) {}

  /** A parser for the language, or the load error (remembered: a broken grammar is tried once). */
  async parserFor(spec: LanguageSpec): Promise<Parser | GrammarLoadError> {
    const failed = this.failures.get(spec.id);
    if (failed) return failed;
    let pending = this.parsers.get(spec.id);
    if (!pending) {
      pending = this.load(spec);
      this.parsers.set(spec.id, pending);
    }
    try {
      return await pending;
    } catch (error) {
      const failure = error instanceof GrammarLoadError ? error : new GrammarLoadError(spec.grammar, this.fileOf(spec), messageOf(error));
      this.failures.set(spec.id, failure);
      this.parsers.delete(spec.id);
      return failure;
    }
  }

  /** Ids of the languages whose grammar failed to load, with why. */
  get loadFailures(): readonly GrammarLoadError[] {
    return [...this.failures.values()];
  }

  /** Frees the parsers' WASM memory. */
  async dispose(): Promise<void> {
    const parsers = [...this.parsers.values()];
    this.parsers.clear();
    for (const pending of parsers) {
      try {
        (await pending).delete();
      } catch {
        // A parser that never loaded has nothing to free.
      }
    }
  }

  private fileOf(spec: LanguageSpec): string {
    return path.join(this.grammarDir, `tree-sitter-${spec.grammar}.wasm`);
  }

  private async load(spec: LanguageSpec): Promise<Parser> {
    await initRuntime(this.grammarDir);
    const file = this.fileOf(spec);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new GrammarLoadError(spec.grammar, file, messageOf(error));
    }
    try {
      const language = await Language.load(bytes);
      const parser = new Parser();
      // Throws when the grammar's ABI is outside what the runtime supports.
      parser.setLanguage(language);
      return parser;
    } catch (error) {
      throw new GrammarLoadError(spec.grammar, file, messageOf(error));
    }
  }
}
