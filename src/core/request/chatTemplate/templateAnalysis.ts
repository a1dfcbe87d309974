import type { Arg, CommandNode, ListNode, Node, PipeNode, RangeNode } from './ast';
import { TemplateError } from './templateError';

// Ollama's own walks over a parsed template (template/template.go Vars and deleteNode,
// thinking/template.go InferTags), mirrored on our tree so the same decisions come out.

/** template.Vars: every field and variable identifier, lowercased, deduplicated and sorted. */
export function templateVars(root: ListNode): string[] {
  const names = new Set<string>();
  const pipe = (p: PipeNode): void => {
    for (const c of p.cmds) for (const a of c.args) arg(a);
  };
  const arg = (a: Arg): void => {
    if (a.kind === 'field' || a.kind === 'variable') for (const id of a.ident) names.add(id.toLowerCase());
    else if (a.kind === 'pipe') pipe(a);
  };
  const list = (l: ListNode): void => {
    for (const n of l.nodes) {
      if (n.kind === 'action') pipe(n.pipe);
      else if (n.kind === 'if' || n.kind === 'with' || n.kind === 'range') {
        pipe(n.pipe);
        list(n.list);
        if (n.elseList) list(n.elseList);
      }
    }
  };
  list(root);
  return [...names].sort();
}

/** What template.Parse appends to a template that mentions neither Messages nor Response. */
export function withResponseAppended(root: ListNode): ListNode {
  const pos = root.nodes.length > 0 ? root.nodes[root.nodes.length - 1].pos : 0;
  const response: Node = {
    kind: 'action',
    pos,
    pipe: { kind: 'pipe', pos, decl: [], isAssign: false, cmds: [{ kind: 'command', pos, args: [{ kind: 'field', pos, ident: ['Response'] }] }] },
  };
  return { ...root, nodes: [...root.nodes, response] };
}

/**
 * template.go's deleteNode for the last turn of a legacy template: keep everything up to and including
 * the first `.Response` field, drop every node walked after it (so `{{ .Response }}<|eot_id|>` becomes a
 * prefix the model continues). Branch conditions are not walked, as in Ollama.
 */
export function cutAfterResponse(root: ListNode): ListNode {
  let cut = false;
  const isResponse = (a: Arg): boolean => a.kind === 'field' && a.ident.includes('Response');

  const walkPipe = (p: PipeNode): PipeNode | undefined => {
    const cmds: CommandNode[] = [];
    for (const c of p.cmds) {
      const args: Arg[] = [];
      for (const a of c.args) {
        // Go's predicate keeps every .Response field (even one after the cut) and marks the cut.
        if (isResponse(a)) {
          cut = true;
          args.push(a);
          continue;
        }
        if (cut) continue;
        if (a.kind === 'pipe') {
          const inner = walkPipe(a);
          if (inner) args.push(inner);
          continue;
        }
        args.push(a);
      }
      if (args.length === 0) return undefined;
      cmds.push({ ...c, args });
    }
    if (cmds.length === 0) return undefined;
    return { ...p, cmds };
  };

  const walkList = (l: ListNode, elseOf?: RangeNode | Node): ListNode => {
    if (cut && elseOf) {
      // Go asserts walk(ElseList).(*parse.ListNode) on a nil result: Ollama panics (HTTP 500).
      throw new TemplateError(
        'exec',
        '{{else}} after {{ .Response }}',
        "Ollama's legacy template cut panics on an {{else}} branch that follows .Response (HTTP 500)",
      );
    }
    const nodes: Node[] = [];
    for (const n of l.nodes) {
      if (cut) continue;
      switch (n.kind) {
        case 'action': {
          const p = walkPipe(n.pipe);
          if (p) nodes.push({ ...n, pipe: p });
          break;
        }
        case 'if':
        case 'with':
        case 'range': {
          const list = walkList(n.list);
          const elseList = n.elseList ? walkList(n.elseList, n) : undefined;
          nodes.push({ ...n, list, elseList } as Node);
          break;
        }
        default:
          nodes.push(n);
      }
    }
    return { ...l, nodes };
  };

  return walkList(root);
}

/**
 * thinking.InferTags: for a `.Thinking` field inside a range over `.Messages`, the first and last text
 * of its nearest enclosing list are the tags around the reasoning (e.g. "<think>", "</think>").
 * Ollama treats a template with both tags as thinking-capable.
 */
export function inferThinkingTags(root: ListNode): { open: string; close: string } {
  let open = '';
  let close = '';
  const lists: ListNode[] = [];
  const ranges: RangeNode[] = [];

  const usesMessages = (r: RangeNode): boolean => {
    let found = false;
    const visit = (p: PipeNode): void => {
      for (const c of p.cmds)
        for (const a of c.args) {
          if (a.kind === 'field' && a.ident[0] === 'Messages') found = true;
          else if (a.kind === 'pipe') visit(a);
        }
    };
    visit(r.pipe);
    return found;
  };
  const onField = (ident: readonly string[]): void => {
    if (ident[0] !== 'Thinking') return;
    const r = ranges[ranges.length - 1];
    if (!r || !usesMessages(r)) return;
    const l = lists[lists.length - 1];
    if (!l || l.nodes.length === 0) return;
    const first = l.nodes[0];
    const last = l.nodes[l.nodes.length - 1];
    if (first.kind === 'text') open = first.text.trim();
    if (last.kind === 'text') close = last.text.trim();
  };
  const pipe = (p: PipeNode): void => {
    for (const c of p.cmds)
      for (const a of c.args) {
        if (a.kind === 'field') onField(a.ident);
        else if (a.kind === 'pipe') pipe(a);
      }
  };
  const list = (l: ListNode): void => {
    lists.push(l);
    for (const n of l.nodes) {
      if (n.kind === 'action') pipe(n.pipe);
      else if (n.kind === 'if' || n.kind === 'with' || n.kind === 'range') {
        if (n.kind === 'range') ranges.push(n);
        pipe(n.pipe);
        list(n.list);
        if (n.elseList) list(n.elseList);
        if (n.kind === 'range') ranges.pop();
      }
    }
    lists.pop();
  };
  list(root);
  return { open, close };
}
