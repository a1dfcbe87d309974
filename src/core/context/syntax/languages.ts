// Which tree-sitter grammar reads which file, and which of its node types define a symbol. The node type
// names come from the grammars VS Code ships (@vscode/tree-sitter-wasm 0.3, tree-sitter 0.25); checked
// against real files by test/unit/context/retrieval/chunker.test.ts.

/** What a definition is. `method` is a function whose nearest enclosing definition is a class-like one. */
export type DefinitionKind = 'function' | 'method' | 'class' | 'type' | 'namespace';

/** One language the chunker can read structurally. */
export interface LanguageSpec {
  /** Our id, also the grammar's file name: `tree-sitter-<grammar>.wasm`. */
  readonly id: string;
  readonly grammar: string;
  readonly extensions: readonly string[];
  /** Node types that define a symbol, with what they define. */
  readonly definitions: Readonly<Record<string, Exclude<DefinitionKind, 'method'>>>;
  /**
   * Node types that only wrap a definition (export, decorators, templates, `declare`): the definition
   * keeps the wrapper's lines (so decorators and `export` stay with it) and the inner node's name.
   */
  readonly wrappers: readonly string[];
  /** Node types that define a function only when they hold one (`const f = () => ...`, `a.b = function`). */
  readonly valueDefinitions?: readonly string[];
  /** Comment node types, attached to the definition that follows them. */
  readonly comments: readonly string[];
}

const JS_DEFINITIONS = {
  function_declaration: 'function',
  generator_function_declaration: 'function',
  class_declaration: 'class',
  method_definition: 'function',
} as const;

const TS_DEFINITIONS = {
  ...JS_DEFINITIONS,
  abstract_class_declaration: 'class',
  abstract_method_signature: 'function',
  function_signature: 'function',
  interface_declaration: 'type',
  type_alias_declaration: 'type',
  enum_declaration: 'type',
  internal_module: 'namespace',
  module: 'namespace',
} as const;

const JS_VALUE_DEFINITIONS = ['lexical_declaration', 'variable_declaration', 'expression_statement', 'public_field_definition', 'field_definition', 'pair'];

/** Every language read with a grammar; anything else is cut into line windows. */
export const LANGUAGES: readonly LanguageSpec[] = [
  {
    id: 'typescript',
    grammar: 'typescript',
    extensions: ['.ts', '.mts', '.cts'],
    definitions: TS_DEFINITIONS,
    wrappers: ['export_statement', 'ambient_declaration'],
    valueDefinitions: JS_VALUE_DEFINITIONS,
    comments: ['comment'],
  },
  {
    id: 'tsx',
    grammar: 'tsx',
    extensions: ['.tsx'],
    definitions: TS_DEFINITIONS,
    wrappers: ['export_statement', 'ambient_declaration'],
    valueDefinitions: JS_VALUE_DEFINITIONS,
    comments: ['comment'],
  },
  {
    id: 'javascript',
    grammar: 'javascript',
    extensions: ['.js', '.mjs', '.cjs', '.jsx'],
    definitions: JS_DEFINITIONS,
    wrappers: ['export_statement'],
    valueDefinitions: JS_VALUE_DEFINITIONS,
    comments: ['comment'],
  },
  {
    id: 'python',
    grammar: 'python',
    extensions: ['.py', '.pyi'],
    definitions: { function_definition: 'function', class_definition: 'class' },
    wrappers: ['decorated_definition'],
    comments: ['comment'],
  },
  {
    id: 'go',
    grammar: 'go',
    extensions: ['.go'],
    definitions: { function_declaration: 'function', method_declaration: 'function', type_declaration: 'type' },
    wrappers: [],
    comments: ['comment'],
  },
  {
    id: 'rust',
    grammar: 'rust',
    extensions: ['.rs'],
    definitions: {
      function_item: 'function',
      function_signature_item: 'function',
      struct_item: 'type',
      enum_item: 'type',
      union_item: 'type',
      type_item: 'type',
      trait_item: 'class',
      impl_item: 'class',
      mod_item: 'namespace',
      macro_definition: 'function',
    },
    wrappers: [],
    comments: ['line_comment', 'block_comment'],
  },
  {
    id: 'java',
    grammar: 'java',
    extensions: ['.java'],
    definitions: {
      class_declaration: 'class',
      interface_declaration: 'class',
      enum_declaration: 'class',
      record_declaration: 'class',
      annotation_type_declaration: 'type',
      method_declaration: 'function',
      constructor_declaration: 'function',
      compact_constructor_declaration: 'function',
    },
    wrappers: [],
    comments: ['line_comment', 'block_comment'],
  },
  {
    // tree-sitter-cpp parses C as well (C is close to a subset); VS Code ships no separate C grammar.
    id: 'cpp',
    grammar: 'cpp',
    extensions: ['.c', '.h', '.cc', '.cpp', '.cxx', '.c++', '.hpp', '.hh', '.hxx', '.h++', '.ipp', '.inl'],
    definitions: {
      function_definition: 'function',
      class_specifier: 'class',
      struct_specifier: 'class',
      union_specifier: 'type',
      enum_specifier: 'type',
      namespace_definition: 'namespace',
      type_definition: 'type',
    },
    wrappers: ['template_declaration'],
    comments: ['comment'],
  },
  {
    id: 'csharp',
    grammar: 'c-sharp',
    extensions: ['.cs'],
    definitions: {
      class_declaration: 'class',
      struct_declaration: 'class',
      interface_declaration: 'class',
      record_declaration: 'class',
      enum_declaration: 'type',
      delegate_declaration: 'type',
      method_declaration: 'function',
      constructor_declaration: 'function',
      destructor_declaration: 'function',
      operator_declaration: 'function',
      conversion_operator_declaration: 'function',
      property_declaration: 'function',
      local_function_statement: 'function',
      namespace_declaration: 'namespace',
      file_scoped_namespace_declaration: 'namespace',
    },
    wrappers: [],
    comments: ['comment'],
  },
  {
    id: 'ruby',
    grammar: 'ruby',
    extensions: ['.rb', '.rake', '.gemspec', '.ru'],
    definitions: { method: 'function', singleton_method: 'function', class: 'class', module: 'namespace', singleton_class: 'class' },
    wrappers: [],
    comments: ['comment'],
  },
  {
    id: 'php',
    grammar: 'php',
    extensions: ['.php', '.phtml'],
    definitions: {
      function_definition: 'function',
      method_declaration: 'function',
      class_declaration: 'class',
      interface_declaration: 'class',
      trait_declaration: 'class',
      enum_declaration: 'class',
      namespace_definition: 'namespace',
    },
    wrappers: [],
    comments: ['comment'],
  },
  { id: 'bash', grammar: 'bash', extensions: ['.sh', '.bash'], definitions: { function_definition: 'function' }, wrappers: [], comments: ['comment'] },
];

const BY_EXTENSION = new Map(LANGUAGES.flatMap((spec) => spec.extensions.map((ext) => [ext, spec] as const)));
const BY_ID = new Map(LANGUAGES.map((spec) => [spec.id, spec] as const));

/** The grammar-backed language of a path (by extension, case-insensitive), or undefined for line windows. */
export function languageOfPath(path: string): LanguageSpec | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = base.lastIndexOf('.');
  if (dot <= 0 && !base.startsWith('.')) return undefined;
  return BY_EXTENSION.get(base.slice(dot));
}

/** The spec of a language id (`typescript`, `csharp`, ...). */
export function languageById(id: string): LanguageSpec | undefined {
  return BY_ID.get(id);
}

/** A short language label for any path, grammar or not (used for display and stats only). */
export function languageLabel(path: string): string {
  const spec = languageOfPath(path);
  if (spec) return spec.id;
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1) : 'text';
}
