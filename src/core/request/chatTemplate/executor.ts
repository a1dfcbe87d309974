import {
  argText,
  pipeText,
  type Arg,
  type CommandNode,
  type ListNode,
  type Node,
  type ParsedTemplate,
  type PipeNode,
  type RangeNode,
  type VariableNode,
} from './ast';
import type { GoFunc, ParamKind } from './builtins';
import { printTemplateValue } from './goFormat';
import { GoRuntimeError } from './goRuntimeError';
import { GoBytes, GoMap, GoPtr, GoSlice, GoStruct, NIL_INTERFACE, goTypeName, isTrue, sortedKeys, type ChainValue, type GoValue } from './goValues';
import { TemplateError, positionAt } from './templateError';

// Executes a parse tree over Go values, following text/template/exec.go: variable scoping (a
// declaration lives until the enclosing {{end}}, range bodies pop per iteration), short-circuit
// and/or, missingkey behaviour, field/method lookup and the printing of each action's value.

export interface ExecOptions {
  /** The functions callable at execution time (Ollama's final legacy render has only Go's builtins). */
  readonly funcs: ReadonlyMap<string, GoFunc>;
  /** `zero`: Ollama's Option("missingkey=zero"); `invalid`: Go's default (a missing key is no value). */
  readonly missingKey: 'zero' | 'invalid';
}

const MISSING: unique symbol = Symbol('missing');
type Final = GoValue | typeof MISSING;

const enum Signal {
  None,
  Break,
  Continue,
}

interface Variable {
  readonly name: string;
  value: GoValue;
}

/** Renders `root` (by default the template's own root) with `data` as dot and `$`. */
export function executeTemplate(tpl: ParsedTemplate, data: GoValue, opts: ExecOptions, root: ListNode = tpl.root): string {
  return new Executor(tpl.source, opts).run(root, data);
}

class Executor {
  private readonly out: string[] = [];
  private readonly vars: Variable[] = [];
  private pos = 0;
  /** The node being evaluated, rendered into error messages only when something fails. */
  private context: Arg | PipeNode | string = '';

  constructor(
    private readonly source: string,
    private readonly opts: ExecOptions,
  ) {}

  run(root: ListNode, data: GoValue): string {
    this.vars.push({ name: '$', value: data });
    this.walkList(data, root);
    return this.out.join('');
  }

  private fail(detail: string, unsupported = false): never {
    const where = positionAt(this.source, this.pos);
    const c = this.context;
    const text = typeof c === 'string' ? c : c.kind === 'pipe' ? pipeText(c) : argText(c);
    throw new TemplateError(unsupported ? 'unsupported' : 'exec', text ? `<${text}>` : 'template', detail, where);
  }

  private at(pos: number, context: Arg | PipeNode | string): void {
    this.pos = pos;
    this.context = context;
  }

  // --- walking ------------------------------------------------------------------------------------

  private walkList(dot: GoValue, list: ListNode): Signal {
    for (const node of list.nodes) {
      const s = this.walk(dot, node);
      if (s !== Signal.None) return s;
    }
    return Signal.None;
  }

  private walk(dot: GoValue, node: Node): Signal {
    switch (node.kind) {
      case 'text':
        this.out.push(node.text);
        return Signal.None;
      case 'action': {
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) {
          this.at(node.pos, node.pipe);
          this.out.push(this.print(v));
        }
        return Signal.None;
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const v = this.evalPipeline(dot, node.pipe);
        let s = Signal.None;
        if (isTrue(v)) s = this.walkList(node.kind === 'with' ? v : dot, node.list);
        else if (node.elseList) s = this.walkList(dot, node.elseList);
        this.vars.length = mark;
        return s;
      }
      case 'range':
        return this.walkRange(dot, node);
      case 'break':
        return Signal.Break;
      case 'continue':
        return Signal.Continue;
    }
  }

  private walkRange(dot: GoValue, r: RangeNode): Signal {
    const outer = this.vars.length;
    const val = this.evalPipeline(dot, r.pipe);
    const mark = this.vars.length;
    const decl = r.pipe.decl.length;
    const one = (index: GoValue, elem: GoValue): Signal => {
      if (decl > 0) this.vars[this.vars.length - 1].value = elem;
      if (decl > 1) this.vars[this.vars.length - 2].value = index;
      const s = this.walkList(elem, r.list);
      this.vars.length = mark;
      return s;
    };
    let ran = false;
    const target: GoValue = val instanceof GoPtr ? (val.elem ?? val) : val;
    if (target instanceof GoSlice) {
      for (let i = 0; i < target.items.length; i++) {
        ran = true;
        if (one(BigInt(i), target.items[i]) === Signal.Break) break;
      }
    } else if (target instanceof GoMap) {
      for (const k of sortedKeys(target)) {
        ran = true;
        if (one(k, target.entries.get(k)) === Signal.Break) break;
      }
    } else if (typeof target === 'bigint') {
      if (decl > 1) {
        this.at(r.pos, 'range');
        this.fail(`can't use ${target} to iterate over more than one variable`);
      }
      for (let i = 0n; i < target; i++) {
        ran = true;
        if (one(undefined, i) === Signal.Break) break;
      }
    } else if (target !== undefined) {
      this.at(r.pos, 'range');
      if (target instanceof GoBytes) this.fail('ranging over image bytes is not supported', true);
      this.fail(`range can't iterate over ${this.print(target)}`);
    }
    if (!ran && r.elseList) this.walkList(dot, r.elseList);
    this.vars.length = outer;
    return Signal.None;
  }

  // --- evaluation ---------------------------------------------------------------------------------

  private evalPipeline(dot: GoValue, pipe: PipeNode): GoValue {
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    const v = value === MISSING ? undefined : value;
    for (const d of pipe.decl) {
      if (pipe.isAssign) this.setVar(d, v);
      else this.vars.push({ name: d.ident[0], value: v });
    }
    return v;
  }

  private setVar(d: VariableNode, value: GoValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === d.ident[0]) {
        this.vars[i].value = value;
        return;
      }
    }
    this.at(d.pos, d.ident[0]);
    this.fail(`undefined variable: ${d.ident[0]}`);
  }

  private varValue(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    return this.fail(`undefined variable: ${name}`);
  }

  private evalCommand(dot: GoValue, cmd: CommandNode, final: Final): GoValue {
    const first = cmd.args[0];
    this.at(first.pos, first);
    switch (first.kind) {
      case 'field':
        return unwrap(this.evalFieldChain(dot, dot, first.ident, cmd.args, final));
      case 'chain': {
        const recv = this.evalArg(dot, 'any', first.node);
        this.at(first.pos, first);
        return unwrap(this.evalFieldChain(dot, recv, first.fields, cmd.args, final));
      }
      case 'identifier':
        return this.evalFunction(dot, first.name, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return unwrap(this.evalVariable(dot, first, cmd.args, final));
      default:
        this.notAFunction(cmd.args, final);
        switch (first.kind) {
          case 'bool':
            return first.value;
          case 'dot':
            return dot;
          case 'nil':
            return this.fail('nil is not a command');
          case 'number':
            return first.value;
          case 'string':
            return first.text;
        }
    }
  }

  private notAFunction(args: readonly Arg[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.fail(`can't give argument to non-function ${argText(args[0])}`);
  }

  private evalVariable(dot: GoValue, v: VariableNode, args: readonly Arg[] | undefined, final: Final): ChainValue {
    const value = this.varValue(v.ident[0]);
    if (v.ident.length === 1) {
      if (args) this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v.ident.slice(1), args, final);
  }

  private evalFieldChain(dot: GoValue, receiver: ChainValue, ident: readonly string[], args: readonly Arg[] | undefined, final: Final): ChainValue {
    let r = receiver;
    for (let i = 0; i < ident.length - 1; i++) r = this.evalField(ident[i], undefined, MISSING, r);
    return this.evalField(ident[ident.length - 1], args, final, r);
  }

  private evalField(name: string, args: readonly Arg[] | undefined, final: Final, receiver: ChainValue): ChainValue {
    if (receiver === undefined) return undefined;
    if (receiver === NIL_INTERFACE) return this.fail(`nil pointer evaluating interface {}.${name}`);
    const hasArgs = (args !== undefined && args.length > 1) || final !== MISSING;
    let target: GoValue = receiver;
    if (target instanceof GoPtr) {
      if (target.elem === undefined) return this.fail(`nil pointer evaluating ${target.type}.${name}`);
      target = target.elem;
    }
    // Methods first, as Go looks them up before fields and map keys.
    const method = methodOf(target, name);
    if (method) {
      if (hasArgs) this.fail(`wrong number of args for ${name}: want 0 got ${(args?.length ?? 1) - 1 + (final !== MISSING ? 1 : 0)}`);
      return this.callMethod(method);
    }
    if (target instanceof GoStruct) {
      if (!(name in target.fields)) return this.fail(`can't evaluate field ${name} in type ${typeOfReceiver(receiver)}`);
      if (hasArgs) this.fail(`${name} has arguments but cannot be invoked as function`);
      const v = target.fields[name];
      return v === undefined ? NIL_INTERFACE : v;
    }
    if (target instanceof GoMap) {
      if (hasArgs) this.fail(`${name} is not a method but has arguments`);
      if (target.entries.has(name)) {
        const v = target.entries.get(name);
        return v === undefined ? NIL_INTERFACE : v;
      }
      if (this.opts.missingKey === 'invalid') return undefined;
      const z = target.zero();
      return z === undefined ? NIL_INTERFACE : z;
    }
    return this.fail(`can't evaluate field ${name} in type ${goTypeName(target)}`);
  }

  private evalFunction(dot: GoValue, name: string, args: readonly Arg[], final: Final): GoValue {
    const f = this.opts.funcs.get(name);
    if (!f) return this.fail(`"${name}" is not a defined function`);
    const argNodes = args.slice(1);
    const numIn = argNodes.length + (final !== MISSING ? 1 : 0);
    const fixed = f.params.length;
    if (f.variadic !== undefined) {
      if (numIn < fixed) this.fail(`wrong number of args for ${name}: want at least ${fixed} got ${argNodes.length}`);
    } else if (numIn !== fixed) {
      this.fail(`wrong number of args for ${name}: want ${fixed} got ${numIn}`);
    }
    if (name === 'and' || name === 'or') {
      let v: GoValue;
      for (const a of argNodes) {
        v = this.evalArg(dot, 'any', a);
        if (isTrue(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }
    const argv: GoValue[] = [];
    for (let i = 0; i < argNodes.length; i++) argv.push(this.evalArg(dot, i < fixed ? f.params[i] : (f.variadic ?? 'any'), argNodes[i]));
    if (final !== MISSING) argv.push(this.validate(final, numIn - 1 < fixed ? f.params[numIn - 1] : (f.variadic ?? 'any')));
    this.at(args[0].pos, name);
    try {
      return f.call(argv);
    } catch (e) {
      if (e instanceof GoRuntimeError) this.fail(`error calling ${name}: ${e.detail}`, e.unsupported);
      throw e;
    }
  }

  private evalArg(dot: GoValue, kind: ParamKind, n: Arg): GoValue {
    this.at(n.pos, n);
    switch (n.kind) {
      case 'dot':
        return this.validate(dot, kind);
      case 'nil':
        if (kind === 'any') return undefined;
        return this.fail('cannot assign nil to string');
      case 'field':
        return this.validate(unwrap(this.evalFieldChain(dot, dot, n.ident, [n], MISSING)), kind);
      case 'variable':
        return this.validate(unwrap(this.evalVariable(dot, n, undefined, MISSING)), kind);
      case 'pipe':
        return this.validate(this.evalPipeline(dot, n), kind);
      case 'identifier':
        return this.validate(this.evalFunction(dot, n.name, [n], MISSING), kind);
      case 'chain': {
        const recv = this.evalArg(dot, 'any', n.node);
        return this.validate(unwrap(this.evalFieldChain(dot, recv, n.fields, undefined, MISSING)), kind);
      }
      case 'string':
        return n.text;
      case 'bool':
      case 'number':
        if (kind === 'string') return this.fail(`expected string; found ${argText(n)}`);
        return n.value;
    }
  }

  private validate(v: GoValue, kind: ParamKind): GoValue {
    if (kind === 'any' || typeof v === 'string') return v;
    if (v === undefined) return this.fail('invalid value; expected string');
    return this.fail(`wrong type for value; expected string; got ${goTypeName(v)}`);
  }

  /** Prints a value as the template printer does, turning fmt errors into positioned template errors. */
  private print(v: GoValue): string {
    try {
      return printTemplateValue(v);
    } catch (e) {
      if (e instanceof GoRuntimeError) this.fail(e.detail, e.unsupported);
      throw e;
    }
  }

  private callMethod(method: () => GoValue): GoValue {
    try {
      return method();
    } catch (e) {
      if (e instanceof GoRuntimeError) this.fail(e.detail, e.unsupported);
      throw e;
    }
  }
}

function unwrap(v: ChainValue): GoValue {
  return v === NIL_INTERFACE ? undefined : v;
}

function typeOfReceiver(r: GoValue): string {
  return r instanceof GoPtr ? r.type : goTypeName(r);
}

function methodOf(v: GoValue, name: string): (() => GoValue) | undefined {
  if (v instanceof GoStruct) {
    const call = v.methods.calls?.[name];
    if (call) return () => call(v);
    const str = v.methods.stringer ?? v.methods.ptrStringer;
    if (name === 'String' && str) return () => str(v);
    return undefined;
  }
  if (v instanceof GoMap || v instanceof GoSlice) {
    const m = v.methods as { stringer?: (x: typeof v) => string; ptrStringer?: (x: typeof v) => string };
    const str = m.stringer ?? m.ptrStringer;
    if (name === 'String' && str) return () => str(v);
  }
  return undefined;
}
