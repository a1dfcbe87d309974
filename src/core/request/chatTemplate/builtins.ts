import { printTemplateValue, sprint, sprintf, sprintln } from './goFormat';
import { marshalGoJson } from './goJson';
import { GoRuntimeError } from './goRuntimeError';
import { utf8Length } from '../../tokens/charClasses';
import { GoBytes, GoMap, GoPtr, GoSlice, GoStruct, goTypeName, isNil, isTrue, type GoValue } from './goValues';

// The functions a template can call: Go's text/template builtins (funcs.go) and the ones Ollama adds
// in template/template.go (json, currentDate, yesterdayDate, toTypeScriptType).

/** How an argument is checked before the call: `any` takes every value, `string` only strings. */
export type ParamKind = 'any' | 'string';

export interface GoFunc {
  readonly name: string;
  /** Parameter kinds of the fixed parameters. */
  readonly params: readonly ParamKind[];
  /** Element kind of the variadic parameter, when there is one. */
  readonly variadic?: ParamKind;
  readonly call: (args: GoValue[]) => GoValue;
}

/** What Ollama's date functions need: the server's clock. */
export interface FuncEnv {
  readonly now: () => Date;
}

const fn = (name: string, params: ParamKind[], call: (args: GoValue[]) => GoValue, variadic?: ParamKind): GoFunc => ({ name, params, call, variadic });

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid';

function basicKind(v: GoValue): Kind {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
    default:
      return 'invalid';
  }
}

/** reflect.Kind-level name, for canCompare. */
function reflectKind(v: GoValue): string {
  if (v === undefined) return 'invalid';
  if (v instanceof GoSlice || v instanceof GoBytes) return 'slice';
  if (v instanceof GoMap) return 'map';
  if (v instanceof GoPtr) return 'ptr';
  if (v instanceof GoStruct) return 'struct';
  return typeof v;
}

function eq(a: GoValue, rest: GoValue[]): boolean {
  if (rest.length === 0) throw new GoRuntimeError('missing argument for comparison');
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    let truth = false;
    if (k1 !== k2) {
      if (a !== undefined && b !== undefined) throw new GoRuntimeError(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
    } else if (k1 !== 'invalid') {
      truth = a === b;
    } else {
      const ka = reflectKind(a);
      const kb = reflectKind(b);
      if (ka !== kb && ka !== 'invalid' && kb !== 'invalid') throw new GoRuntimeError(`non-comparable types ${goTypeName(a)} and ${goTypeName(b)}`);
      if (isNil(a) || isNil(b)) truth = isNil(a) === isNil(b);
      else if (a instanceof GoPtr && b instanceof GoPtr) truth = a.elem === b.elem;
      else throw new GoRuntimeError(`non-comparable type ${goTypeName(b)}`);
    }
    if (truth) return true;
  }
  return false;
}

function lt(a: GoValue, b: GoValue): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'invalid' || k2 === 'invalid') throw new GoRuntimeError('invalid type for comparison');
  if (k1 !== k2) throw new GoRuntimeError(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
  if (k1 === 'bool') throw new GoRuntimeError('invalid type for comparison');
  if (k1 === 'string') return compareBytes(a as string, b as string) < 0;
  return (a as number | bigint) < (b as number | bigint);
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function indexArg(idx: GoValue, cap: number): number {
  if (idx === undefined) throw new GoRuntimeError('cannot index slice/array with nil');
  if (typeof idx !== 'bigint') throw new GoRuntimeError(`cannot index slice/array with type ${goTypeName(idx)}`);
  if (idx < 0n || idx > BigInt(cap)) throw new GoRuntimeError(`index out of range: ${idx}`);
  return Number(idx);
}

function index(item: GoValue, indices: GoValue[]): GoValue {
  if (item === undefined) throw new GoRuntimeError('index of untyped nil');
  let cur: GoValue = item;
  for (const idx of indices) {
    if (cur instanceof GoPtr) {
      if (cur.elem === undefined) throw new GoRuntimeError('index of nil pointer');
      cur = cur.elem;
    }
    if (cur === undefined) throw new GoRuntimeError('index of nil pointer');
    if (typeof cur === 'string' || cur instanceof GoSlice || cur instanceof GoBytes) {
      const len = typeof cur === 'string' ? utf8Length(cur) : cur instanceof GoBytes ? Buffer.from(cur.base64, 'base64').length : cur.items.length;
      const x = indexArg(idx, len);
      if (x >= len) throw new GoRuntimeError(`reflect: slice index out of range`);
      if (typeof cur === 'string') cur = BigInt(Buffer.from(cur, 'utf8')[x]);
      else if (cur instanceof GoBytes) cur = BigInt(Buffer.from(cur.base64, 'base64')[x]);
      else cur = cur.items[x];
      continue;
    }
    if (cur instanceof GoMap) {
      if (idx === undefined) throw new GoRuntimeError('value is nil; should be of type string');
      if (typeof idx !== 'string') throw new GoRuntimeError(`value has type ${goTypeName(idx)}; should be string`);
      cur = cur.entries.has(idx) ? cur.entries.get(idx) : cur.zero();
      continue;
    }
    throw new GoRuntimeError(`can't index item of type ${goTypeName(cur)}`);
  }
  return cur;
}

function slice(item: GoValue, indices: GoValue[]): GoValue {
  if (item === undefined) throw new GoRuntimeError('slice of untyped nil');
  if (item instanceof GoPtr && item.elem === undefined) throw new GoRuntimeError('slice of nil pointer');
  if (indices.length > 3) throw new GoRuntimeError(`too many slice indexes: ${indices.length}`);
  let len: number;
  if (typeof item === 'string') {
    if (indices.length === 3) throw new GoRuntimeError('cannot 3-index slice a string');
    len = utf8Length(item);
  } else if (item instanceof GoSlice) {
    len = item.items.length;
  } else {
    throw new GoRuntimeError(`can't slice item of type ${goTypeName(item)}`);
  }
  const idx = [0, len, len];
  indices.forEach((v, k) => {
    idx[k] = indexArg(v, len);
  });
  if (idx[0] > idx[1]) throw new GoRuntimeError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indices.length === 3 && idx[1] > idx[2]) throw new GoRuntimeError(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (typeof item === 'string') {
    const bytes = Buffer.from(item, 'utf8');
    const cut = (k: number): boolean => k > 0 && k < bytes.length && (bytes[k] & 0xc0) === 0x80;
    if (cut(idx[0]) || cut(idx[1])) throw new GoRuntimeError('slicing a string inside a UTF-8 character is not supported', true);
    return bytes.subarray(idx[0], idx[1]).toString('utf8');
  }
  return new GoSlice(item.type, item.items.slice(idx[0], idx[1]), item.methods, false);
}

function length(item: GoValue): GoValue {
  if (item === undefined) throw new GoRuntimeError('len of nil pointer');
  if (typeof item === 'string') return BigInt(utf8Length(item));
  if (item instanceof GoSlice) return BigInt(item.items.length);
  if (item instanceof GoMap) return BigInt(item.entries.size);
  if (item instanceof GoBytes) return BigInt(Buffer.from(item.base64, 'base64').length);
  if (item instanceof GoPtr && item.elem === undefined) throw new GoRuntimeError('len of nil pointer');
  throw new GoRuntimeError(`len of type ${goTypeName(item instanceof GoPtr && item.elem ? item.elem : item)}`);
}

/** text/template's evalArgs: a lone string as is, otherwise fmt.Sprint of the printable values. */
function evalArgs(args: GoValue[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a instanceof GoStruct || a instanceof GoPtr || a instanceof GoMap || a instanceof GoSlice ? printTemplateValue(a) : a)));
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '\u0000': '\ufffd', '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' };

function htmlEscape(s: string): string {
  let out = '';
  for (const c of s) out += HTML_ESCAPES[c] ?? c;
  return out;
}

const unsupported = (name: string): GoFunc =>
  fn(
    name,
    [],
    () => {
      throw new GoRuntimeError(`the builtin "${name}" is not supported by Therapist's template interpreter`, true);
    },
    'any',
  );

/** Go's builtin template functions. `and`/`or` are listed for arity; the executor short-circuits them. */
export const GO_BUILTINS: readonly GoFunc[] = [
  fn('and', ['any'], (a) => a[a.length - 1], 'any'),
  fn('or', ['any'], (a) => a[a.length - 1], 'any'),
  fn('not', ['any'], (a) => !isTrue(a[0])),
  fn('len', ['any'], (a) => length(a[0])),
  fn('index', ['any'], (a) => index(a[0], a.slice(1)), 'any'),
  fn('slice', ['any'], (a) => slice(a[0], a.slice(1)), 'any'),
  fn('print', [], (a) => sprint(a), 'any'),
  fn('println', [], (a) => sprintln(a), 'any'),
  fn('printf', ['string'], (a) => sprintf(a[0] as string, a.slice(1)), 'any'),
  fn('eq', ['any'], (a) => eq(a[0], a.slice(1)), 'any'),
  fn('ne', ['any', 'any'], (a) => !eq(a[0], [a[1]])),
  fn('lt', ['any', 'any'], (a) => lt(a[0], a[1])),
  fn('le', ['any', 'any'], (a) => lt(a[0], a[1]) || eq(a[0], [a[1]])),
  fn('gt', ['any', 'any'], (a) => !(lt(a[0], a[1]) || eq(a[0], [a[1]]))),
  fn('ge', ['any', 'any'], (a) => !lt(a[0], a[1])),
  fn('html', [], (a) => htmlEscape(evalArgs(a)), 'any'),
  unsupported('js'),
  unsupported('urlquery'),
  unsupported('call'),
];

/** A date as Go's time.Format("2006-01-02") writes it, in this machine's local time zone. */
function isoDate(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${String(d.getFullYear()).padStart(4, '0')}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Ollama's FuncMap (template/template.go `funcs`). */
export function ollamaFuncs(env: FuncEnv): readonly GoFunc[] {
  return [
    // json.Marshal's error is dropped by Ollama: an unencodable value renders as "".
    fn('json', ['any'], (a) => {
      try {
        return marshalGoJson(a[0]);
      } catch (e) {
        if (e instanceof GoRuntimeError && !e.unsupported) return '';
        throw e;
      }
    }),
    fn('currentDate', [], () => isoDate(env.now()), 'string'),
    fn(
      'yesterdayDate',
      [],
      () => {
        const d = env.now();
        return isoDate(new Date(d.getFullYear(), d.getMonth(), d.getDate() - 1, 12));
      },
      'string',
    ),
    fn('toTypeScriptType', ['any'], (a) => {
      const v = a[0] instanceof GoPtr ? a[0].elem : a[0];
      const call = v instanceof GoStruct && v.type === 'api.ToolProperty' ? v.methods.calls?.ToTypeScriptType : undefined;
      return call && v instanceof GoStruct ? call(v) : 'any';
    }),
  ];
}

/** The names Go's parser accepts as functions: builtins plus Ollama's. */
export const TEMPLATE_FUNCTION_NAMES: ReadonlySet<string> = new Set([
  ...GO_BUILTINS.map((f) => f.name),
  'json',
  'currentDate',
  'yesterdayDate',
  'toTypeScriptType',
]);
