import type { Arg, CommandNode, ListNode, Node, ParsedTemplate, PipeNode, VariableNode } from './ast';
import { lex, type Token, type TokenType } from './lexer';
import { TemplateError, positionAt } from './templateError';

// A parser for Go's text/template following text/template/parse/parse.go: the same grammar, the same
// parse-time checks (undefined variables and functions, {{break}} outside {{range}}), the same
// "else if" rewriting. Constructs Ollama's chat templates never need ({{define}}, {{template}},
// {{block}}) are rejected as `unsupported` so that a caller can fall back.

/** Parses a template; `functions` are the names callable in it (Go's builtins plus Ollama's FuncMap). */
export function parseTemplate(source: string, functions: ReadonlySet<string>): ParsedTemplate {
  const p = new Parser(source, lex(source), functions);
  return { source, root: p.parseRoot() };
}

type Ender = { kind: 'end'; pos: number } | { kind: 'else'; pos: number };

class Parser {
  private i = 0;
  private readonly vars: string[] = ['$'];
  private rangeDepth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
    private readonly functions: ReadonlySet<string>,
  ) {}

  parseRoot(): ListNode {
    const nodes: Node[] = [];
    while (this.peek().type !== 'eof') {
      const n = this.textOrAction();
      if (isEnder(n)) this.fail(n.pos, `unexpected {{${n.kind}}}`);
      nodes.push(n);
    }
    return { kind: 'list', pos: 0, nodes };
  }

  // --- token cursor -------------------------------------------------------------------------------

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    const t = this.tokens[this.i];
    if (t.type !== 'eof') this.i++;
    return t;
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    const save = this.i;
    const t = this.nextNonSpace();
    this.i = save;
    return t;
  }

  private expect(type: TokenType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  private fail(pos: number, detail: string, kind: 'parse' | 'unsupported' = 'parse', construct = 'syntax'): never {
    throw new TemplateError(kind, construct, detail, positionAt(this.source, pos));
  }

  private unexpected(t: Token, context: string): never {
    if (t.type === 'eof') this.fail(t.pos, `unexpected EOF in ${context}`);
    this.fail(t.pos, `unexpected ${describe(t)} in ${context}`);
  }

  // --- structure ----------------------------------------------------------------------------------

  private textOrAction(): Node | Ender {
    const t = this.nextNonSpace();
    if (t.type === 'text') return { kind: 'text', pos: t.pos, text: t.val };
    if (t.type === 'leftDelim') return this.action();
    return this.unexpected(t, 'input');
  }

  private itemList(): { list: ListNode; next: Ender } {
    const nodes: Node[] = [];
    const pos = this.peekNonSpace().pos;
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (isEnder(n)) return { list: { kind: 'list', pos, nodes }, next: n };
      nodes.push(n);
    }
    return this.fail(this.peek().pos, 'unexpected EOF');
  }

  private action(): Node | Ender {
    const start = this.i;
    const t = this.nextNonSpace();
    if (t.type === 'keyword') {
      switch (t.val) {
        case 'if':
          return this.control('if', t.pos);
        case 'range':
          return this.control('range', t.pos);
        case 'with':
          return this.control('with', t.pos);
        case 'end':
          this.expect('rightDelim', 'end');
          return { kind: 'end', pos: t.pos };
        case 'else': {
          const peek = this.peekNonSpace();
          // "{{else if" and "{{else with" leave the keyword pending for control() to consume.
          if (peek.type === 'keyword' && (peek.val === 'if' || peek.val === 'with')) return { kind: 'else', pos: peek.pos };
          this.expect('rightDelim', 'else');
          return { kind: 'else', pos: t.pos };
        }
        case 'break':
        case 'continue':
          if (this.rangeDepth === 0) this.fail(t.pos, `{{${t.val}}} outside {{range}}`);
          this.expect('rightDelim', `{{${t.val}}}`);
          return { kind: t.val, pos: t.pos };
        default:
          // define, template, block: Go supports them; Ollama's chat templates never use them.
          this.fail(t.pos, `{{${t.val}}} is not supported by Therapist's template interpreter`, 'unsupported', `{{${t.val}}}`);
      }
    }
    this.i = start;
    // Do not pop variables: an action's declarations live until the enclosing {{end}}.
    const pipe = this.pipeline('command', 'rightDelim');
    return { kind: 'action', pos: pipe.pos, pipe };
  }

  private control(context: 'if' | 'range' | 'with', pos: number): Node {
    const mark = this.vars.length;
    const pipe = this.pipeline(context, 'rightDelim');
    if (context === 'range') this.rangeDepth++;
    const body = this.itemList();
    if (context === 'range') this.rangeDepth--;
    let elseList: ListNode | undefined;
    if (body.next.kind === 'else') {
      const peek = this.peekNonSpace();
      if ((context === 'if' || context === 'with') && peek.type === 'keyword' && peek.val === context) {
        // {{if a}}_{{else if b}}_{{end}} is {{if a}}_{{else}}{{if b}}_{{end}}{{end}}: one {{end}} closes both.
        this.nextNonSpace();
        elseList = { kind: 'list', pos: body.next.pos, nodes: [this.control(context, peek.pos)] };
      } else {
        const e = this.itemList();
        if (e.next.kind !== 'end') this.fail(e.next.pos, 'expected end; found {{else}}');
        elseList = e.list;
      }
    }
    this.vars.length = mark;
    return { kind: context, pos, pipe, list: body.list, elseList };
  }

  // --- pipelines ----------------------------------------------------------------------------------

  private pipeline(context: string, end: TokenType): PipeNode {
    const pos = this.peekNonSpace().pos;
    const decl: VariableNode[] = [];
    let isAssign = false;
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      const save = this.i;
      this.nextNonSpace();
      const n = this.peekNonSpace();
      if (n.type === 'assign' || n.type === 'declare') {
        isAssign = n.type === 'assign';
        this.nextNonSpace();
        decl.push(this.variableNode(v, false));
        this.vars.push(v.val);
        break;
      }
      if (n.type === 'char' && n.val === ',') {
        this.nextNonSpace();
        decl.push(this.variableNode(v, false));
        this.vars.push(v.val);
        if (context === 'range' && decl.length < 2) {
          const after = this.peekNonSpace();
          if (after.type === 'variable' || after.type === 'rightDelim' || after.type === 'rightParen') continue;
          this.fail(after.pos, 'range can only initialize variables');
        }
        this.fail(n.pos, `too many declarations in ${context}`);
      }
      this.i = save;
      break;
    }
    const cmds: CommandNode[] = [];
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        if (cmds.length === 0) this.fail(t.pos, `missing value for ${context}`);
        for (let k = 1; k < cmds.length; k++) {
          const first = cmds[k].args[0];
          if (first.kind === 'bool' || first.kind === 'dot' || first.kind === 'nil' || first.kind === 'number' || first.kind === 'string') {
            this.fail(first.pos, `non executable command in pipeline stage ${k + 1}`);
          }
        }
        return { kind: 'pipe', pos, decl, isAssign, cmds };
      }
      switch (t.type) {
        case 'bool':
        case 'charConstant':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.i--;
          cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private command(): CommandNode {
    const pos = this.peekNonSpace().pos;
    const args: Arg[] = [];
    for (;;) {
      this.peekNonSpace();
      while (this.peek().type === 'space') this.next();
      const operand = this.operand();
      if (operand) args.push(operand);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') {
        this.i--;
      } else if (t.type !== 'pipe') {
        this.unexpected(t, 'operand');
      }
      break;
    }
    if (args.length === 0) this.fail(pos, 'empty command');
    return { kind: 'command', pos, args };
  }

  private operand(): Arg | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().type !== 'field') return node;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
    switch (node.kind) {
      case 'field':
        return { kind: 'field', pos: node.pos, ident: [...node.ident, ...fields] };
      case 'variable':
        return { kind: 'variable', pos: node.pos, ident: [...node.ident, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return this.fail(
          node.pos,
          `unexpected . after term "${node.kind === 'string' ? node.quoted : node.kind === 'dot' ? '.' : node.kind === 'nil' ? 'nil' : node.kind === 'bool' ? String(node.value) : node.text}"`,
        );
      default:
        return { kind: 'chain', pos: node.pos, node, fields };
    }
  }

  private term(): Arg | undefined {
    const start = this.i;
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'identifier':
        if (!this.functions.has(t.val)) this.fail(t.pos, `function "${t.val}" not defined`);
        return { kind: 'identifier', pos: t.pos, name: t.val };
      case 'dot':
        return { kind: 'dot', pos: t.pos };
      case 'nil':
        return { kind: 'nil', pos: t.pos };
      case 'variable':
        return this.variableNode(t, true);
      case 'field':
        return { kind: 'field', pos: t.pos, ident: [t.val.slice(1)] };
      case 'bool':
        return { kind: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'charConstant':
      case 'number':
        return this.numberNode(t);
      case 'leftParen':
        return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string':
      case 'rawString':
        return { kind: 'string', pos: t.pos, quoted: t.val, text: t.type === 'rawString' ? t.val.slice(1, -1).replace(/\r/g, '') : this.unquote(t) };
      default:
        this.i = start;
        return undefined;
    }
  }

  private variableNode(t: Token, checkDeclared: boolean): VariableNode {
    const name = t.val;
    if (checkDeclared && !this.vars.includes(name)) this.fail(t.pos, `undefined variable "${name}"`);
    return { kind: 'variable', pos: t.pos, ident: [name] };
  }

  private numberNode(t: Token): Arg {
    const text = t.val;
    if (t.type === 'charConstant') {
      const s = this.unquoteChars(text.slice(1, -1), "'", t.pos);
      const cps = [...s];
      if (cps.length !== 1) this.fail(t.pos, `malformed character constant: ${text}`);
      return { kind: 'number', pos: t.pos, text, value: BigInt(cps[0].codePointAt(0) ?? 0) };
    }
    if (text.endsWith('i')) this.fail(t.pos, `complex constant ${text} is not supported`, 'unsupported', 'complex number');
    const clean = text.replace(/_/g, '');
    const isHex = /^[+-]?0[xX]/.test(clean);
    if ((!isHex && /[.eE]/.test(clean)) || (isHex && /[pP.]/.test(clean))) {
      const f = Number(clean);
      if (!Number.isFinite(f)) this.fail(t.pos, `illegal number syntax: "${text}"`);
      return { kind: 'number', pos: t.pos, text, value: f };
    }
    const neg = clean.startsWith('-');
    const body = clean.replace(/^[+-]/, '');
    let value: bigint;
    try {
      value = /^0[0-7]+$/.test(body) ? BigInt('0o' + body.slice(1)) : BigInt(body);
    } catch {
      return this.fail(t.pos, `illegal number syntax: "${text}"`);
    }
    return { kind: 'number', pos: t.pos, text, value: neg ? -value : value };
  }

  private unquote(t: Token): string {
    return this.unquoteChars(t.val.slice(1, -1), '"', t.pos);
  }

  /** strconv.Unquote for Go interpreted string and rune literals. */
  private unquoteChars(s: string, quote: string, pos: number): string {
    let out = '';
    for (let k = 0; k < s.length; k++) {
      const c = s[k];
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = s[++k];
      switch (e) {
        case 'a':
          out += '\u0007';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'v':
          out += '\v';
          break;
        case '\\':
          out += '\\';
          break;
        case '"':
        case "'":
          if (e !== quote) this.fail(pos, `invalid syntax: escape \\${e}`);
          out += e;
          break;
        case 'x':
        case 'u':
        case 'U': {
          const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
          const hex = s.slice(k + 1, k + 1 + n);
          if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) this.fail(pos, 'invalid syntax: bad escape');
          const v = parseInt(hex, 16);
          if (e === 'x') {
            if (v >= 0x80) this.fail(pos, 'a \\x escape above 0x7F is not supported', 'unsupported', 'string escape');
            out += String.fromCharCode(v);
          } else {
            if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) this.fail(pos, 'invalid syntax: bad unicode escape');
            out += String.fromCodePoint(v);
          }
          k += n;
          break;
        }
        default:
          if (e !== undefined && e >= '0' && e <= '7') {
            const oct = s.slice(k, k + 3);
            if (!/^[0-7]{3}$/.test(oct)) this.fail(pos, 'invalid syntax: bad octal escape');
            const v = parseInt(oct, 8);
            if (v >= 0x80) this.fail(pos, 'an octal escape above 0x7F is not supported', 'unsupported', 'string escape');
            out += String.fromCharCode(v);
            k += 2;
            break;
          }
          this.fail(pos, `invalid syntax: unknown escape \\${e ?? ''}`);
      }
    }
    return out;
  }
}

function isEnder(n: Node | Ender): n is Ender {
  return n.kind === 'end' || n.kind === 'else';
}

function describe(t: Token): string {
  switch (t.type) {
    case 'rightDelim':
      return '"}}"';
    case 'rightParen':
      return '")"';
    case 'leftParen':
      return '"("';
    case 'pipe':
      return '"|"';
    case 'char':
      return `"${t.val}"`;
    case 'text':
      return 'text';
    default:
      return `<${t.val}>`;
  }
}
