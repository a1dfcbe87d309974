import type { Node } from '@vscode/tree-sitter-wasm';
import type { DefinitionKind, LanguageSpec } from './languages';

// The definitions of one parsed file, nested as the code nests them. The walk is shallow on purpose: it
// visits the children of the root, of class-like bodies, and of nodes spanning many rows (IIFEs, test
// suites, big functions that may hold nested ones); every node visited is a WASM call, so walking every
// expression of a 50 MB tree would cost more than parsing it.

/** One definition, rows 0-based and inclusive. */
export interface Definition {
  kind: DefinitionKind;
  name: string;
  /** First row, including leading comments, decorators, `export` and `template<...>`. */
  startRow: number;
  endRow: number;
  /** The declaration up to its body, whitespace collapsed, at most SIGNATURE_CHARS characters. */
  signature: string;
  children: Definition[];
}

export interface OutlineOptions {
  /** A non-definition node spanning at least this many rows is searched for definitions inside it. */
  descendRows: number;
}

const SIGNATURE_CHARS = 240;
const MAX_DEPTH = 8;
const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function', 'class']);
const CLASS_LIKE: ReadonlySet<DefinitionKind> = new Set(['class', 'namespace']);

/** The nested definitions of a parsed file. */
export function outlineOf(root: Node, source: string, spec: LanguageSpec, options: OutlineOptions): Definition[] {
  return collect(root, { source, spec, options }, 0, undefined);
}

interface Walk {
  source: string;
  spec: LanguageSpec;
  options: OutlineOptions;
}

/** The last row a node covers: a node ending at column 0 (a line comment with its newline) ends on the row before. */
export function endRowOf(node: Node): number {
  const end = node.endPosition;
  return end.column === 0 && end.row > node.startPosition.row ? end.row - 1 : end.row;
}

/** The named children of a node (the binding types them as nullable; a live tree has none null). */
function namedChildrenOf(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child !== null);
}

function collect(parent: Node, walk: Walk, depth: number, parentKind: DefinitionKind | undefined): Definition[] {
  const { spec, options } = walk;
  const out: Definition[] = [];
  let comment: { startRow: number; endRow: number } | undefined;
  let previousEnd = -1;
  for (const child of namedChildrenOf(parent)) {
    const startRow = child.startPosition.row;
    if (spec.comments.includes(child.type)) {
      // A comment on the row of the code before it is a trailing comment of that code, not a doc comment.
      if (startRow === previousEnd) continue;
      comment = comment && startRow <= comment.endRow + 1 ? { startRow: comment.startRow, endRow: endRowOf(child) } : { startRow, endRow: endRowOf(child) };
      continue;
    }
    const found = definitionOf(child, spec);
    if (found) {
      const { kind, name, node, body, valueBody } = found;
      const ownKind: DefinitionKind = kind === 'function' && parentKind === 'class' ? 'method' : kind;
      const def: Definition = {
        kind: ownKind,
        name,
        startRow: comment && comment.endRow >= startRow - 1 ? comment.startRow : startRow,
        endRow: endRowOf(child),
        signature: signatureOf(walk.source, child, valueBody ?? body, node),
        children: [],
      };
      const inner = valueBody ?? body;
      const rows = def.endRow - startRow + 1;
      if (inner && depth < MAX_DEPTH && (CLASS_LIKE.has(kind) || rows >= options.descendRows)) {
        def.children = collect(inner, walk, depth + 1, kind);
      }
      out.push(def);
    } else if (depth < MAX_DEPTH && endRowOf(child) - startRow + 1 >= options.descendRows) {
      out.push(...collect(child, walk, depth + 1, parentKind));
    }
    comment = undefined;
    previousEnd = endRowOf(child);
  }
  return out;
}

interface Found {
  kind: Exclude<DefinitionKind, 'method'>;
  name: string;
  /** The node that defines (the wrapper's inner node, or the node itself). */
  node: Node;
  body: Node | null;
  /** For `const f = () => {...}` and the like: the function's body. */
  valueBody?: Node | null;
}

function definitionOf(node: Node, spec: LanguageSpec): Found | undefined {
  if (spec.wrappers.includes(node.type)) {
    const inner = node.childForFieldName('declaration') ?? node.childForFieldName('definition');
    const candidates = inner ? [inner] : namedChildrenOf(node);
    for (const candidate of candidates) {
      const found = definitionOf(candidate, spec);
      if (found) return found;
    }
    return undefined;
  }
  const kind = spec.definitions[node.type];
  if (kind) {
    const body = bodyOf(node, spec);
    // `struct x *p;` mentions a type without defining it: only specifiers with a body define one.
    if (spec.id === 'cpp' && node.type.endsWith('_specifier') && !body) return undefined;
    const name = nameOf(node, spec);
    if (name === undefined) return undefined;
    return { kind, name, node, body };
  }
  if (spec.valueDefinitions?.includes(node.type)) return valueDefinitionOf(node);
  return undefined;
}

function bodyOf(node: Node, spec: LanguageSpec): Node | null {
  const body = node.childForFieldName('body');
  if (body) return body;
  // Go: `type T struct {...}` keeps its fields in type_spec > struct_type; nothing nests there that we chunk.
  if (spec.id === 'cpp' && node.type === 'type_definition') return node.childForFieldName('type')?.childForFieldName('body') ?? null;
  // C# file-scoped namespaces hold their members directly.
  if (node.type === 'file_scoped_namespace_declaration') return node;
  return null;
}

function nameOf(node: Node, spec: LanguageSpec): string | undefined {
  switch (node.type) {
    case 'function_definition':
      if (spec.id === 'cpp') return declaratorName(node.childForFieldName('declarator'));
      break;
    case 'type_definition':
      return declaratorName(node.childForFieldName('declarator'));
    case 'type_declaration': {
      const specNode = namedChildrenOf(node).find((c) => c.type === 'type_spec' || c.type === 'type_alias');
      return specNode?.childForFieldName('name')?.text;
    }
    case 'impl_item': {
      const type = node.childForFieldName('type');
      const base = type?.type === 'generic_type' ? type.childForFieldName('type') : type;
      return base?.text ?? 'impl';
    }
    case 'method_declaration':
      if (spec.id === 'go') {
        const receiver = goReceiverType(node);
        const name = node.childForFieldName('name')?.text;
        return name && receiver ? `${receiver}.${name}` : name;
      }
      break;
    case 'singleton_method':
      return node.childForFieldName('name')?.text;
    case 'module':
      if (spec.id !== 'ruby') return node.childForFieldName('name')?.text ?? 'module';
      break;
  }
  const name = node.childForFieldName('name');
  if (name) return name.text;
  // Anonymous definitions (`export default class {}`, `enum {...}` in C) still hold code worth a chunk.
  return spec.definitions[node.type] ? 'default' : undefined;
}

/** C/C++: `int *lru_get(...)` nests the name in pointer/function/reference declarators. */
function declaratorName(declarator: Node | null): string | undefined {
  for (let d = declarator, depth = 0; d && depth < 8; depth++) {
    if (/identifier$|^operator_name$|^destructor_name$/.test(d.type)) return d.text;
    d = d.childForFieldName('declarator') ?? namedChildrenOf(d).find((c) => /identifier$|declarator$/.test(c.type)) ?? null;
  }
  return undefined;
}

function goReceiverType(node: Node): string | undefined {
  const receiver = node.childForFieldName('receiver');
  const param = receiver && namedChildrenOf(receiver).find((c) => c.type === 'parameter_declaration');
  const type = param?.childForFieldName('type');
  const text = type?.text.replace(/^\*/, '').replace(/\[.*$/, '');
  return text || undefined;
}

function valueDefinitionOf(node: Node): Found | undefined {
  switch (node.type) {
    case 'lexical_declaration':
    case 'variable_declaration': {
      for (const declarator of namedChildrenOf(node)) {
        if (declarator.type !== 'variable_declarator') continue;
        const value = declarator.childForFieldName('value');
        const name = declarator.childForFieldName('name');
        if (value && name && FUNCTION_VALUES.has(value.type)) return valueFound(name.text, node, value);
      }
      return undefined;
    }
    case 'expression_statement': {
      const assignment = namedChildrenOf(node)[0];
      if (assignment?.type !== 'assignment_expression') return undefined;
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      if (!left || !right || !FUNCTION_VALUES.has(right.type)) return undefined;
      return valueFound(left.text.replace(/^(module\.)?exports\./, '').replace(/\.prototype\./, '.'), node, right);
    }
    case 'public_field_definition':
    case 'field_definition': {
      const value = node.childForFieldName('value');
      const name = node.childForFieldName('name') ?? node.childForFieldName('property');
      if (value && name && FUNCTION_VALUES.has(value.type)) return valueFound(name.text, node, value);
      return undefined;
    }
    case 'pair': {
      const value = node.childForFieldName('value');
      const key = node.childForFieldName('key');
      if (value && key && FUNCTION_VALUES.has(value.type)) return valueFound(key.text.replace(/^['"]|['"]$/g, ''), node, value);
      return undefined;
    }
  }
  return undefined;
}

function valueFound(name: string, node: Node, value: Node): Found {
  return { kind: value.type === 'class' ? 'class' : 'function', name, node, body: null, valueBody: value.childForFieldName('body') };
}

function signatureOf(source: string, outer: Node, body: Node | null | undefined, inner: Node): string {
  const end = body && body.startIndex > outer.startIndex ? body.startIndex : Math.min(outer.endIndex, inner.startIndex + SIGNATURE_CHARS * 2);
  const text = source.slice(outer.startIndex, end);
  // Comment lines between the declaration and its body (Ruby, Python) are not part of the signature.
  const firstLines = body
    ? text
        .split('\n')
        .filter((line, i) => i === 0 || !/^\s*(#|\/\/|\/\*|\*)/.test(line))
        .join('\n')
    : text.split('\n', 1)[0];
  const collapsed = firstLines.replace(/\s+/g, ' ').trim();
  return collapsed.length > SIGNATURE_CHARS ? `${collapsed.slice(0, SIGNATURE_CHARS - 1)}…` : collapsed;
}
