// The Go values a template sees, modelled closely enough that truthiness, printing (fmt), JSON
// (encoding/json) and comparisons come out as they do in Ollama:
//   undefined  -> an invalid reflect.Value / a nil interface (prints "<no value>" at top level)
//   string     -> string            boolean -> bool
//   bigint     -> int               number  -> float64 (every JSON number decodes to float64 in Go)
//   GoSlice / GoMap / GoStruct / GoPtr / GoBytes for composite values, with the String() and
//   MarshalJSON methods their Go types have (which decide how `{{ .Tools }}` prints).

export type GoValue = undefined | string | boolean | bigint | number | GoSlice | GoMap | GoStruct | GoPtr | GoBytes;

/** The methods of a Go type that change how it prints or marshals. */
export interface GoMethods<T> {
  /** String() on the value receiver: used by fmt everywhere, and by the template printer. */
  readonly stringer?: (self: T) => string;
  /** String() on the pointer receiver: only the template printer finds it (the value is addressable there). */
  readonly ptrStringer?: (self: T) => string;
  /** MarshalJSON(): returns JSON text that encoding/json then compacts and HTML-escapes. */
  readonly marshalJSON?: (self: T) => string;
}

/** A Go slice (or array) with its Go type name; `nil` marks a nil slice (prints `[]`, marshals `null`). */
export class GoSlice {
  constructor(
    readonly type: string,
    readonly items: readonly GoValue[],
    readonly methods: GoMethods<GoSlice> = {},
    readonly nil = false,
  ) {}
}

/** A Go map with string keys; range and fmt visit keys sorted, as Go does. */
export class GoMap {
  constructor(
    readonly type: string,
    readonly entries: ReadonlyMap<string, GoValue>,
    readonly methods: GoMethods<GoMap> = {},
    readonly nil = false,
    /** The zero value of the element type, returned for a missing key (missingkey=zero, `index`). */
    readonly zero: () => GoValue = () => undefined,
  ) {}
}

/** One field of a Go struct as encoding/json sees it. */
export interface JsonField {
  readonly field: string;
  readonly name: string;
  readonly omitempty?: boolean;
}

/** A Go struct: fields in declaration order, the Go type name, its JSON tags and methods. */
export class GoStruct {
  constructor(
    readonly type: string,
    readonly fields: Readonly<Record<string, GoValue>>,
    readonly methods: GoMethods<GoStruct> & {
      /** Struct tags; without them every field marshals under its Go name. */
      readonly json?: readonly JsonField[];
      /** Other zero-argument methods a template may call as `.Name`. */
      readonly calls?: Readonly<Record<string, (self: GoStruct) => GoValue>>;
    } = {},
  ) {}
}

/** A pointer to a struct (`elem` undefined for a nil pointer of type `type`). */
export class GoPtr {
  constructor(
    readonly type: string,
    readonly elem: GoStruct | undefined,
  ) {}
}

/** A []byte (Ollama's ImageData): marshals as base64, which is how it arrived on the wire. */
export class GoBytes {
  constructor(readonly base64: string) {}
}

/** The nil interface marker used inside field chains: `.Missing.Foo` fails in Go, `$nil.Foo` does not. */
export const NIL_INTERFACE: unique symbol = Symbol('nil interface');
export type ChainValue = GoValue | typeof NIL_INTERFACE;

/** Go's type name of a value, as fmt's %T and error messages print it. */
export function goTypeName(v: GoValue): string {
  if (v === undefined) return '<nil>';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
  }
  if (v instanceof GoBytes) return 'api.ImageData';
  if (v instanceof GoPtr) return v.type;
  return v.type;
}

/** Go's truth: the zero value of its type is false (empty string, 0, nil, empty slice or map). */
export function isTrue(v: GoValue): boolean {
  if (v === undefined) return false;
  switch (typeof v) {
    case 'string':
      return v.length > 0;
    case 'boolean':
      return v;
    case 'bigint':
      return v !== 0n;
    case 'number':
      return v !== 0;
  }
  if (v instanceof GoSlice) return v.items.length > 0;
  if (v instanceof GoMap) return v.entries.size > 0;
  if (v instanceof GoPtr) return v.elem !== undefined;
  if (v instanceof GoBytes) return v.base64.length > 0;
  return true;
}

/** Whether a value is nil (nil pointer, slice, map or interface), for `eq` and encoding/json. */
export function isNil(v: GoValue): boolean {
  if (v === undefined) return true;
  if (v instanceof GoSlice || v instanceof GoMap) return v.nil;
  if (v instanceof GoPtr) return v.elem === undefined;
  return false;
}

/** A string-keyed Go map of `map[string]interface {}`. */
export function anyMap(entries: Iterable<[string, GoValue]>, methods: GoMethods<GoMap> = {}, type = 'map[string]interface {}'): GoMap {
  return new GoMap(type, new Map(entries), methods);
}

/** Converts decoded JSON (as Go's encoding/json would decode it into `any`) into Go values. */
export function fromJson(v: unknown): GoValue {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (Array.isArray(v)) return new GoSlice('[]interface {}', v.map(fromJson));
  if (typeof v === 'object') return anyMap(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromJson(x)]));
  return String(v);
}

/** Keys of a Go map in the order fmt and range visit them (byte order of the UTF-8 encodings). */
export function sortedKeys(m: GoMap): string[] {
  return [...m.entries.keys()].sort(compareUtf8);
}

/** Compares strings by their UTF-8 bytes (= by code points), as Go's sort does. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}
