import { GoRuntimeError } from './goRuntimeError';
import { GoBytes, GoMap, GoPtr, GoSlice, GoStruct, isNil, isTrue, sortedKeys, type GoValue } from './goValues';

// encoding/json's Marshal as Ollama's templates meet it (the `json` function and the String()
// methods of Ollama's tool types): HTML-safe escaping (< > & as \u003c \u003e \u0026, U+2028/9),
// map keys sorted by bytes, floats as Go prints them, struct tags with omitempty.

const HEX = '0123456789abcdef';

/** json.Marshal(v) as a string; throws GoRuntimeError where Go returns an error (NaN, ±Inf). */
export function marshalGoJson(v: GoValue): string {
  if (v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return quoteJson(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString(10);
    case 'number':
      return formatJsonFloat(v);
  }
  if (v instanceof GoBytes) return quoteJson(v.base64);
  if (v instanceof GoPtr) return v.elem === undefined ? 'null' : marshalGoJson(v.elem);
  const custom = (v.methods as { marshalJSON?: (x: typeof v) => string }).marshalJSON;
  if (custom) return custom(v);
  if (v instanceof GoSlice) return v.nil ? 'null' : '[' + v.items.map(marshalGoJson).join(',') + ']';
  if (v instanceof GoMap) {
    if (v.nil) return 'null';
    return (
      '{' +
      sortedKeys(v)
        .map((k) => `${quoteJson(k)}:${marshalGoJson(v.entries.get(k))}`)
        .join(',') +
      '}'
    );
  }
  return marshalStruct(v);
}

function marshalStruct(s: GoStruct): string {
  const tags = s.methods.json ?? Object.keys(s.fields).map((field) => ({ field, name: field, omitempty: false }));
  const parts: string[] = [];
  for (const tag of tags) {
    const value = s.fields[tag.field];
    if (tag.omitempty && isEmptyValue(value)) continue;
    parts.push(`${quoteJson(tag.name)}:${marshalGoJson(value)}`);
  }
  return '{' + parts.join(',') + '}';
}

/** encoding/json's isEmptyValue: false, 0, "", nil pointer/interface, and empty slices or maps. */
function isEmptyValue(v: GoValue): boolean {
  if (v instanceof GoStruct) return false;
  if (v instanceof GoPtr) return v.elem === undefined;
  if (isNil(v)) return true;
  return !isTrue(v);
}

/** A Go float64 as encoding/json writes it: like JavaScript, except -0 and e-notation below 1e-6. */
export function formatJsonFloat(x: number): string {
  if (!Number.isFinite(x)) throw new GoRuntimeError(`json: unsupported value: ${x}`);
  if (Object.is(x, -0)) return '-0';
  return String(x);
}

/** A JSON string literal with Go's HTML-safe escaping; invalid UTF-16 becomes \ufffd as Go does for bad UTF-8. */
export function quoteJson(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) {
      switch (c) {
        case 0x22:
          esc = '\\"';
          break;
        case 0x5c:
          esc = '\\\\';
          break;
        case 0x08:
          esc = '\\b';
          break;
        case 0x0c:
          esc = '\\f';
          break;
        case 0x0a:
          esc = '\\n';
          break;
        case 0x0d:
          esc = '\\r';
          break;
        case 0x09:
          esc = '\\t';
          break;
        default:
          esc = '\\u00' + HEX[c >> 4] + HEX[c & 0xf];
      }
    } else if (c === 0x2028 || c === 0x2029) {
      esc = c === 0x2028 ? '\\u2028' : '\\u2029';
    } else if (c >= 0xd800 && c < 0xe000) {
      const lo = s.charCodeAt(i + 1);
      if (c < 0xdc00 && lo >= 0xdc00 && lo < 0xe000) {
        i++;
        continue;
      }
      esc = '\\ufffd';
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}
