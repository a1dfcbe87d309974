import { GoRuntimeError } from './goRuntimeError';
import { GoBytes, GoMap, GoPtr, GoSlice, GoStruct, goTypeName, sortedKeys, type GoValue } from './goValues';

// Go's fmt package as templates reach it: the template printer ({{ .X }}), print/println/printf.
// Float and quoting rules follow strconv (shortest digits, %e exponents with two digits, Quote).

/** What {{ pipeline }} writes: text/template's printValue (indirects pointers, finds pointer String()). */
export function printTemplateValue(v: GoValue): string {
  if (v === undefined) return '<no value>';
  if (v instanceof GoPtr) {
    if (v.elem === undefined) return '<nil>';
    const s = v.elem;
    const str = s.methods.stringer ?? s.methods.ptrStringer;
    return str ? str(s) : formatValue(s, 'v', 0);
  }
  if (v instanceof GoStruct || v instanceof GoMap || v instanceof GoSlice) {
    const m = v.methods as { stringer?: (x: typeof v) => string; ptrStringer?: (x: typeof v) => string };
    const str = m.stringer ?? m.ptrStringer;
    if (str) return str(v);
  }
  return formatValue(v, 'v', 0);
}

/** fmt.Sprint: operands formatted with %v, a space between two operands when neither is a string. */
export function sprint(args: readonly GoValue[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const isString = typeof args[i] === 'string';
    if (i > 0 && !isString && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(args[i], 'v', 0);
  }
  return out;
}

/** fmt.Sprintln: operands formatted with %v, always separated by spaces, then a newline. */
export function sprintln(args: readonly GoValue[]): string {
  return args.map((a) => formatValue(a, 'v', 0)).join(' ') + '\n';
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

const NO_FLAGS: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };

/** fmt.Sprintf for the verbs templates use (%s %v %d %q %t %x %X %o %b %c %e %f %g %%), with flags and widths. */
export function sprintf(format: string, args: readonly GoValue[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { ...NO_FLAGS };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '-') {
        spec.minus = true;
        spec.zero = false;
      } else if (c === '+') spec.plus = true;
      else if (c === '#') spec.sharp = true;
      else if (c === ' ') spec.space = true;
      else if (c === '0') spec.zero = !spec.minus;
      else break;
    }
    if (format[i] === '[' || format[i] === '*')
      throw new GoRuntimeError(`printf argument indexes and * widths are not supported (in ${JSON.stringify(format)})`, true);
    const w = /^\d+/.exec(format.slice(i));
    if (w) {
      spec.width = Number(w[0]);
      i += w[0].length;
    }
    if (format[i] === '.') {
      i++;
      if (format[i] === '*' || format[i] === '[') throw new GoRuntimeError(`printf * precision is not supported (in ${JSON.stringify(format)})`, true);
      const p = /^\d+/.exec(format.slice(i));
      spec.prec = p ? Number(p[0]) : 0;
      if (p) i += p[0].length;
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const cp = format.codePointAt(i) ?? 0;
    const verb = String.fromCodePoint(cp);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatArg(args[argi++], verb, spec);
  }
  if (argi < args.length) {
    out +=
      '%!(EXTRA ' +
      args
        .slice(argi)
        .map((a) => (a === undefined ? '<nil>' : `${goTypeName(a)}=${formatValue(a, 'v', 0)}`))
        .join(', ') +
      ')';
  }
  return out;
}

function pad(s: string, spec: Spec, numeric = false): string {
  if (spec.width === undefined) return s;
  const n = [...s].length;
  if (n >= spec.width) return s;
  const fill = spec.width - n;
  if (spec.minus) return s + ' '.repeat(fill);
  if (spec.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s[0] : '';
    return sign + '0'.repeat(fill) + s.slice(sign.length);
  }
  return ' '.repeat(fill) + s;
}

function badVerb(v: GoValue, verb: string): string {
  if (v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(v)}=${formatValue(v, 'v', 0)})`;
}

function formatArg(v: GoValue, verb: string, spec: Spec): string {
  if (verb === 'T') return pad(goTypeName(v), spec);
  if (verb === 'v' && spec.sharp) throw new GoRuntimeError('printf %#v (Go syntax) is not supported', true);
  if (verb === 'v' && spec.plus && (v instanceof GoStruct || v instanceof GoPtr)) throw new GoRuntimeError('printf %+v on a struct is not supported', true);
  return formatValue(v, verb, 0, verb === 'v' ? { ...spec, plus: false } : spec);
}

/** Formats one value with a verb, recursing into slices, maps and structs as fmt's printValue does. */
export function formatValue(v: GoValue, verb: string, depth: number, spec: Spec = NO_FLAGS): string {
  if (v === undefined) return verb === 'v' || verb === 's' ? pad('<nil>', spec) : `%!${verb}(<nil>)`;
  switch (typeof v) {
    case 'string':
      return formatString(v, verb, spec);
    case 'boolean':
      return verb === 'v' || verb === 't' ? pad(String(v), spec) : badVerb(v, verb);
    case 'bigint':
      return formatInt(v, verb, spec);
    case 'number':
      return formatFloat(v, verb, spec);
  }
  // Stringers win for %v and %s (fmt's handleMethods), on the value receiver only.
  if ('vsxXq'.includes(verb) && !(v instanceof GoBytes)) {
    if (v instanceof GoPtr) {
      const s = v.elem?.methods.stringer ?? v.elem?.methods.ptrStringer;
      if (s && v.elem) return formatString(s(v.elem), verb, spec);
    } else {
      const s = (v.methods as { stringer?: (x: typeof v) => string }).stringer;
      if (s) return formatString(s(v), verb, spec);
    }
  }
  if (v instanceof GoBytes) {
    const bytes = [...Buffer.from(v.base64, 'base64')];
    if (verb === 's') return pad(Buffer.from(v.base64, 'base64').toString('latin1'), spec);
    return pad('[' + bytes.map((b) => formatInt(BigInt(b), verb, NO_FLAGS)).join(' ') + ']', spec);
  }
  if (v instanceof GoSlice) {
    return pad('[' + v.items.map((x) => formatValue(x, verb, depth + 1)).join(' ') + ']', spec);
  }
  if (v instanceof GoMap) {
    return pad(
      'map[' +
        sortedKeys(v)
          .map((k) => `${formatValue(k, verb, depth + 1)}:${formatValue(v.entries.get(k), verb, depth + 1)}`)
          .join(' ') +
        ']',
      spec,
    );
  }
  if (v instanceof GoStruct) {
    return pad(
      '{' +
        Object.values(v.fields)
          .map((x) => formatValue(x, verb, depth + 1))
          .join(' ') +
        '}',
      spec,
    );
  }
  if (v.elem === undefined) return pad('<nil>', spec);
  if (depth === 0) return '&' + formatValue(v.elem, verb, depth + 1, spec);
  throw new GoRuntimeError(`printing a pointer inside a value (${v.type}) prints a memory address`, true);
}

function formatString(s: string, verb: string, spec: Spec): string {
  switch (verb) {
    case 'v':
    case 's': {
      const t = spec.prec !== undefined ? [...s].slice(0, spec.prec).join('') : s;
      return pad(t, spec);
    }
    case 'q':
      return pad(spec.sharp && canBackquote(s) ? '`' + s + '`' : quoteGo(s, spec.plus), spec);
    case 'x':
    case 'X': {
      const hex = Buffer.from(s, 'utf8').toString('hex');
      return pad(verb === 'X' ? hex.toUpperCase() : hex, spec);
    }
    default:
      return badVerb(s, verb);
  }
}

/** strconv.CanBackquote: no backquote and no control character other than tab. */
function canBackquote(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x60 || c === 0x7f || (c < 0x20 && c !== 0x09)) return false;
  }
  return true;
}

function formatInt(n: bigint, verb: string, spec: Spec): string {
  const neg = n < 0n;
  const abs = neg ? -n : n;
  let body: string;
  switch (verb) {
    case 'v':
    case 'd':
      body = abs.toString(10);
      break;
    case 'x':
      body = abs.toString(16);
      if (spec.sharp) body = '0x' + body;
      break;
    case 'X':
      body = abs.toString(16).toUpperCase();
      if (spec.sharp) body = '0X' + body;
      break;
    case 'o':
      body = abs.toString(8);
      if (spec.sharp) body = '0' + body;
      break;
    case 'O':
      body = '0o' + abs.toString(8);
      break;
    case 'U':
      return pad('U+' + abs.toString(16).toUpperCase().padStart(4, '0'), spec);
    case 'b':
      body = abs.toString(2);
      break;
    case 'c':
      return pad(String.fromCodePoint(Number(n)), spec);
    case 'q':
      return pad(quoteRune(Number(n)), spec);
    default:
      return badVerb(n, verb);
  }
  if (spec.prec !== undefined && body.length < spec.prec) body = '0'.repeat(spec.prec - body.length) + body;
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return pad(sign + body, spec, spec.prec === undefined);
}

function formatFloat(x: number, verb: string, spec: Spec): string {
  let s: string;
  switch (verb) {
    case 'v':
    case 'g':
    case 'G':
      s = formatGoFloat(x, 'g', spec.prec ?? -1);
      break;
    case 'e':
    case 'E':
      s = formatGoFloat(x, 'e', spec.prec ?? 6);
      break;
    case 'f':
    case 'F':
      s = formatGoFloat(x, 'f', spec.prec ?? 6);
      break;
    case 'b':
    case 'x':
    case 'X':
      throw new GoRuntimeError(`printf %${verb} of a float is not supported`, true);
    default:
      return badVerb(x, verb);
  }
  if (verb === 'E' || verb === 'G') s = s.toUpperCase();
  if (spec.plus && !s.startsWith('-') && !s.startsWith('+')) s = '+' + s;
  else if (spec.space && !s.startsWith('-') && !s.startsWith('+')) s = ' ' + s;
  return pad(s, spec, Number.isFinite(x));
}

/** The decimal digits and decimal-point position of |x| (> 0), shortest or rounded to `sig` digits. */
function digitsOf(x: number, sig?: number): { digits: string; dp: number } {
  const s = sig === undefined ? Math.abs(x).toExponential() : Math.abs(x).toExponential(Math.max(sig - 1, 0));
  const [m, e] = s.split('e');
  let digits = m.replace('.', '');
  digits = digits.replace(/0+$/, '') || '0';
  return { digits, dp: Number(e) + 1 };
}

function fmtE(neg: boolean, digits: string, dp: number, prec: number): string {
  let m = digits[0];
  if (prec > 0) m += '.' + (digits.slice(1) + '0'.repeat(prec)).slice(0, prec);
  const exp = digits === '0' ? 0 : dp - 1;
  const es = Math.abs(exp) < 10 ? '0' + Math.abs(exp) : String(Math.abs(exp));
  return (neg ? '-' : '') + m + 'e' + (exp < 0 ? '-' : '+') + es;
}

function fmtF(neg: boolean, digits: string, dp: number, prec: number): string {
  let int: string;
  let frac = '';
  if (digits === '0') {
    int = '0';
  } else if (dp <= 0) {
    int = '0';
    frac = '0'.repeat(-dp) + digits;
  } else if (dp >= digits.length) {
    int = digits + '0'.repeat(dp - digits.length);
  } else {
    int = digits.slice(0, dp);
    frac = digits.slice(dp);
  }
  frac = (frac + '0'.repeat(prec)).slice(0, prec);
  return (neg ? '-' : '') + int + (prec > 0 ? '.' + frac : '');
}

/** strconv.FormatFloat(x, fmt, prec, 64) for 'e', 'f' and 'g' (prec -1 = shortest). */
export function formatGoFloat(x: number, fmt: 'e' | 'f' | 'g', prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  if (x === 0) {
    const zero = { digits: '0', dp: 1 };
    if (fmt === 'e') return fmtE(neg, zero.digits, zero.dp, prec < 0 ? 0 : prec);
    if (fmt === 'f') return fmtF(neg, zero.digits, zero.dp, prec < 0 ? 0 : prec);
    return (neg ? '-' : '') + '0';
  }
  if (fmt === 'e') {
    const d = prec < 0 ? digitsOf(x) : digitsOf(x, prec + 1);
    return fmtE(neg, d.digits, d.dp, prec < 0 ? d.digits.length - 1 : prec);
  }
  if (fmt === 'f') {
    if (prec < 0) {
      const d = digitsOf(x);
      return fmtF(neg, d.digits, d.dp, Math.max(d.digits.length - d.dp, 0));
    }
    if (Math.abs(x) >= 1e21) throw new GoRuntimeError('%f of a number >= 1e21 is not supported', true);
    const fixed = Math.abs(x).toFixed(prec);
    return (neg ? '-' : '') + fixed;
  }
  // 'g'
  const shortest = prec < 0;
  const d = shortest ? digitsOf(x) : digitsOf(x, prec === 0 ? 1 : prec);
  let eprec = shortest ? 6 : prec === 0 ? 1 : prec;
  if (!shortest && eprec > d.digits.length && d.digits.length >= d.dp) eprec = d.digits.length;
  const exp = d.dp - 1;
  if (exp < -4 || exp >= eprec) return fmtE(neg, d.digits, d.dp, d.digits.length - 1);
  return fmtF(neg, d.digits, d.dp, Math.max(d.digits.length - d.dp, 0));
}

/** Go's unicode.IsPrint approximated by Unicode categories: letters, marks, numbers, punctuation, symbols and U+0020. */
function isPrint(cp: number): boolean {
  if (cp === 0x20) return true;
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(cp));
}

/** strconv.Quote (or QuoteToASCII with `ascii`). */
export function quoteGo(s: string, ascii = false): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    out += escapeRune(cp, '"', ascii);
  }
  return out + '"';
}

function quoteRune(cp: number): string {
  return "'" + escapeRune(cp, "'", false) + "'";
}

function escapeRune(cp: number, quote: string, ascii: boolean): string {
  const ch = String.fromCodePoint(cp);
  if (ch === quote || ch === '\\') return '\\' + ch;
  if (cp >= 0xd800 && cp < 0xe000) return '\\ufffd';
  if (ascii ? cp < 0x7f && isPrint(cp) : isPrint(cp)) return ch;
  switch (cp) {
    case 7:
      return '\\a';
    case 8:
      return '\\b';
    case 12:
      return '\\f';
    case 10:
      return '\\n';
    case 13:
      return '\\r';
    case 9:
      return '\\t';
    case 11:
      return '\\v';
  }
  if (cp < 0x20 || cp === 0x7f) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}
