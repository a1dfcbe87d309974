// The parse tree of a Go text/template, shaped like Go's text/template/parse nodes so that Ollama's
// tree walks (Vars, the legacy {{ .Response }} cut, thinking-tag inference) can be mirrored one to one.

export interface TextNode {
  readonly kind: 'text';
  readonly pos: number;
  readonly text: string;
}
export interface ActionNode {
  readonly kind: 'action';
  readonly pos: number;
  readonly pipe: PipeNode;
}
export interface IfNode {
  readonly kind: 'if';
  readonly pos: number;
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList?: ListNode;
}
export interface WithNode {
  readonly kind: 'with';
  readonly pos: number;
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList?: ListNode;
}
export interface RangeNode {
  readonly kind: 'range';
  readonly pos: number;
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList?: ListNode;
}
export interface BreakNode {
  readonly kind: 'break';
  readonly pos: number;
}
export interface ContinueNode {
  readonly kind: 'continue';
  readonly pos: number;
}
export interface ListNode {
  readonly kind: 'list';
  readonly pos: number;
  readonly nodes: readonly Node[];
}

/** Nodes that can appear in a list. */
export type Node = TextNode | ActionNode | IfNode | WithNode | RangeNode | BreakNode | ContinueNode;
export type BranchNode = IfNode | WithNode | RangeNode;

/** `$x := pipeline`, `$x = pipeline`, or the declarations of a range (`$i, $m :=`). */
export interface PipeNode {
  readonly kind: 'pipe';
  readonly pos: number;
  readonly decl: readonly VariableNode[];
  readonly isAssign: boolean;
  readonly cmds: readonly CommandNode[];
}

export interface CommandNode {
  readonly kind: 'command';
  readonly pos: number;
  readonly args: readonly Arg[];
}

export interface FieldNode {
  readonly kind: 'field';
  readonly pos: number;
  readonly ident: readonly string[];
}
export interface VariableNode {
  readonly kind: 'variable';
  readonly pos: number;
  readonly ident: readonly string[];
}
/** `(pipeline).Field.Chain` or `"str".Field`: a term followed by fields that is not itself a field or variable. */
export interface ChainNode {
  readonly kind: 'chain';
  readonly pos: number;
  readonly node: Arg;
  readonly fields: readonly string[];
}
export interface IdentifierNode {
  readonly kind: 'identifier';
  readonly pos: number;
  readonly name: string;
}
export interface DotNode {
  readonly kind: 'dot';
  readonly pos: number;
}
export interface NilNode {
  readonly kind: 'nil';
  readonly pos: number;
}
export interface BoolNode {
  readonly kind: 'bool';
  readonly pos: number;
  readonly value: boolean;
}
export interface StringNode {
  readonly kind: 'string';
  readonly pos: number;
  readonly quoted: string;
  readonly text: string;
}
/** A number literal; `value` is a bigint for Go `int` constants and a number for `float64` ones. */
export interface NumberNode {
  readonly kind: 'number';
  readonly pos: number;
  readonly text: string;
  readonly value: bigint | number;
}

export type Arg = FieldNode | VariableNode | ChainNode | IdentifierNode | DotNode | NilNode | BoolNode | StringNode | NumberNode | PipeNode;

/** A parsed template: its root list and the source it came from (for error positions). */
export interface ParsedTemplate {
  readonly source: string;
  readonly root: ListNode;
}

/** Go's String() of an argument node, used in error messages ("executing at <.Foo>"). */
export function argText(a: Arg): string {
  switch (a.kind) {
    case 'field':
      return '.' + a.ident.join('.');
    case 'variable':
      return a.ident.join('.');
    case 'chain':
      return `${a.node.kind === 'pipe' ? `(${pipeText(a.node)})` : argText(a.node)}.${a.fields.join('.')}`;
    case 'identifier':
      return a.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(a.value);
    case 'string':
      return a.quoted;
    case 'number':
      return a.text;
    case 'pipe':
      return `(${pipeText(a)})`;
  }
}

/** Go's String() of a pipeline. */
export function pipeText(p: PipeNode): string {
  const decl = p.decl.length > 0 ? `${p.decl.map((d) => d.ident.join('.')).join(', ')} ${p.isAssign ? '=' : ':='} ` : '';
  return decl + p.cmds.map((c) => c.args.map(argText).join(' ')).join(' | ');
}
