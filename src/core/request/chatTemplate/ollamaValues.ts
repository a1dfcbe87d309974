import { marshalGoJson, quoteJson } from './goJson';
import { GoBytes, GoMap, GoPtr, GoSlice, GoStruct, fromJson, type GoValue, type JsonField } from './goValues';
import { TemplateError } from './templateError';
import { sprint } from './goFormat';

// The values Ollama hands a chat template, built from what Therapist sends on /api/chat. Their Go
// types matter: which ones have a String() method decides whether `{{ .Function }}` prints JSON or
// Go struct syntax, and that changed between Ollama releases (template/template.go, api/types.go):
//   < 0.14.0   `api` types: api.Tools, *api.ToolFunction ... all print as JSON;
//   0.14-0.29  `template` types (#13525): templateTools, templateArgs and templateProperties print
//              as JSON, but templateTool, templateToolFunction and its parameters print as Go
//              structs, e.g. `{get_weather Get the weather {object <nil> <nil> [city] {...}}}`;
//   >= 0.30.0  templateTool prints as JSON again (#16031); templateToolFunction still does not
//              (ollama/ollama#14601, open): Qwen's `{{ .Function }}` still renders Go struct syntax.

/** One tool call of an assistant message, as /api/chat takes it. */
export interface ChatTemplateToolCall {
  readonly id?: string;
  readonly function: {
    readonly index?: number;
    readonly name: string;
    readonly arguments?: Readonly<Record<string, unknown>>;
  };
}

/** One chat message, as /api/chat takes it (Ollama's api.Message JSON). */
export interface ChatTemplateMessage {
  readonly role: string;
  readonly content: string;
  /** An assistant turn's reasoning; Ollama passes it to the template as `.Thinking`. */
  readonly thinking?: string;
  /** Base64 images; Ollama also prefixes the content with `[img-N]` tags for them. */
  readonly images?: readonly string[];
  readonly tool_calls?: readonly ChatTemplateToolCall[];
  readonly tool_name?: string;
  readonly tool_call_id?: string;
}

/** A JSON-schema property as Ollama keeps it: keys other than these are dropped when the request is decoded. */
export interface ToolPropertySchema {
  readonly anyOf?: readonly ToolPropertySchema[];
  readonly type?: string | readonly string[];
  readonly items?: unknown;
  readonly description?: string;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, ToolPropertySchema>>;
  readonly required?: readonly string[];
  readonly [other: string]: unknown;
}

/** A tool definition, as /api/chat takes it. */
export interface ChatTemplateTool {
  readonly type: string;
  readonly items?: unknown;
  readonly function: {
    readonly name: string;
    readonly description?: string;
    readonly parameters?: {
      readonly type?: string;
      readonly $defs?: unknown;
      readonly items?: unknown;
      readonly required?: readonly string[];
      readonly properties?: Readonly<Record<string, ToolPropertySchema>>;
    };
  };
}

/** Which generation of Ollama's template value types to build (see the file comment). */
export type TemplateValueEra = 'api' | 'template' | 'template-tool-string';

/** The value era of an Ollama version string such as "0.12.6" or "0.33.0-rc1"; the newest when unknown. */
export function eraForVersion(version: string | undefined): TemplateValueEra {
  if (version === undefined) return 'template-tool-string';
  if (compareVersions(version, '0.14.0') < 0) return 'api';
  if (compareVersions(version, '0.30.0') < 0) return 'template';
  return 'template-tool-string';
}

/** Compares dotted versions numerically ("0.9.6" < "0.12.4"); a pre-release counts as its release. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): number[] => {
    const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v.trim());
    if (!m) throw new TemplateError('request', 'ollamaVersion', `"${v}" is not a version like 0.12.6`);
    return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

const tag = (field: string, name: string, omitempty = false): JsonField => ({ field, name, omitempty });

function nilSlice(type: string): GoSlice {
  return new GoSlice(type, [], {}, true);
}

function strings(type: string, xs: readonly string[] | undefined): GoSlice {
  return xs === undefined ? nilSlice(type) : new GoSlice(type, xs.map(String));
}

// --- tool properties (api.ToolProperty, the same type in every era) --------------------------------

function propertyType(t: ToolPropertySchema['type']): GoSlice {
  if (t === undefined) return new GoSlice('api.PropertyType', [], PROPERTY_TYPE_METHODS, true);
  const list = typeof t === 'string' ? [t] : Array.isArray(t) ? t : undefined;
  if (!list || list.some((x) => typeof x !== 'string')) {
    throw new TemplateError(
      'request',
      'tools',
      `a property "type" must be a string or an array of strings, not ${JSON.stringify(t)} (Ollama refuses the request)`,
    );
  }
  return new GoSlice('api.PropertyType', list, PROPERTY_TYPE_METHODS);
}

const PROPERTY_TYPE_METHODS = {
  stringer: (s: GoSlice): string => (s.items.length === 0 ? '' : s.items.length === 1 ? String(s.items[0]) : sprint([new GoSlice('[]string', s.items)])),
  marshalJSON: (s: GoSlice): string => (s.items.length === 1 ? marshalGoJson(s.items[0]) : marshalGoJson(new GoSlice('[]string', s.items, {}, s.nil))),
};

const TS_TYPES: Record<string, string> = {
  string: 'string',
  number: 'number',
  integer: 'number',
  boolean: 'boolean',
  array: 'any[]',
  object: 'Record<string, any>',
  null: 'null',
};

function toTypeScriptType(p: GoStruct): string {
  const anyOf = p.fields.AnyOf as GoSlice;
  if (anyOf.items.length > 0) return anyOf.items.map((x) => toTypeScriptType(x as GoStruct)).join(' | ');
  const types = (p.fields.Type as GoSlice).items.map(String);
  if (types.length === 0) return 'any';
  return types.map((t) => TS_TYPES[t] ?? 'any').join(' | ');
}

const TOOL_PROPERTY_JSON = [
  tag('AnyOf', 'anyOf', true),
  tag('Type', 'type', true),
  tag('Items', 'items', true),
  tag('Description', 'description', true),
  tag('Enum', 'enum', true),
  tag('Properties', 'properties', true),
  tag('Required', 'required', true),
];

/** A zero api.ToolProperty, what a missing key of a properties map gives. */
function zeroToolProperty(): GoStruct {
  return toolProperty({});
}

/** Builds api.ToolProperty from a JSON-schema property, dropping the keys Ollama does not keep. */
export function toolProperty(s: ToolPropertySchema): GoStruct {
  const nested =
    s.properties === undefined
      ? new GoPtr('*api.ToolPropertiesMap', undefined)
      : new GoPtr('*api.ToolPropertiesMap', new GoStruct('api.ToolPropertiesMap', {}, { marshalJSON: () => orderedPropertiesJson(s.properties ?? {}) }));
  return new GoStruct(
    'api.ToolProperty',
    {
      AnyOf: s.anyOf === undefined ? nilSlice('[]api.ToolProperty') : new GoSlice('[]api.ToolProperty', s.anyOf.map(toolProperty)),
      Type: propertyType(s.type),
      Items: fromJson(s.items),
      Description: typeof s.description === 'string' ? s.description : '',
      Enum: s.enum === undefined ? nilSlice('[]interface {}') : new GoSlice('[]interface {}', s.enum.map(fromJson)),
      Properties: nested,
      Required: strings('[]string', s.required),
    },
    { json: TOOL_PROPERTY_JSON, calls: { ToTypeScriptType: (self) => toTypeScriptType(self) } },
  );
}

/** A ToolPropertiesMap keeps the request's key order when marshalled (internal/orderedmap). */
function orderedPropertiesJson(props: Readonly<Record<string, ToolPropertySchema>>): string {
  return (
    '{' +
    Object.entries(props)
      .map(([k, v]) => `${quoteJson(k)}:${marshalGoJson(toolProperty(v))}`)
      .join(',') +
    '}'
  );
}

function propertiesMap(type: string, props: Readonly<Record<string, ToolPropertySchema>> | undefined, withStringer: boolean): GoMap {
  const entries = new Map<string, GoValue>(Object.entries(props ?? {}).map(([k, v]) => [k, toolProperty(v)]));
  const methods = withStringer ? { stringer: (m: GoMap): string => (m.nil ? '{}' : marshalGoJson(new GoMap(m.type, m.entries, {}, false))) } : {};
  return new GoMap(type, entries, methods, props === undefined, zeroToolProperty);
}

// --- tools --------------------------------------------------------------------------------------------

const jsonOf = (v: GoValue): string => marshalGoJson(v);
const plain = (v: GoStruct): GoStruct => new GoStruct(v.type, v.fields, { json: v.methods.json });

/** The `.Tools` value for an era; `undefined` tools is Go's nil slice (falsy, prints "null"). */
export function toolsValue(tools: readonly ChatTemplateTool[] | undefined, era: TemplateValueEra): GoSlice {
  const api = era === 'api';
  const sliceType = api ? 'api.Tools' : 'template.templateTools';
  const sliceMethods = { stringer: (s: GoSlice): string => jsonOf(new GoSlice(s.type, s.items, {}, s.nil)) };
  if (tools === undefined) return new GoSlice(sliceType, [], sliceMethods, true);
  return new GoSlice(
    sliceType,
    tools.map((t) => toolValue(t, era)),
    sliceMethods,
  );
}

function toolValue(t: ChatTemplateTool, era: TemplateValueEra): GoStruct {
  const api = era === 'api';
  const p = t.function.parameters ?? {};
  const params = new GoStruct(
    api ? 'api.ToolFunctionParameters' : 'template.templateToolFunctionParameters',
    {
      Type: typeof p.type === 'string' ? p.type : '',
      Defs: fromJson(p.$defs),
      Items: fromJson(p.items),
      Required: strings('[]string', p.required),
      Properties: propertiesMap(api ? 'map[string]api.ToolProperty' : 'template.templateProperties', p.properties, !api),
    },
    {
      json: [tag('Type', 'type'), tag('Defs', '$defs', true), tag('Items', 'items', true), tag('Required', 'required', true), tag('Properties', 'properties')],
      ...(api ? { ptrStringer: (s: GoStruct) => jsonOf(plain(s)) } : {}),
    },
  );
  const fn = new GoStruct(
    api ? 'api.ToolFunction' : 'template.templateToolFunction',
    {
      Name: t.function.name,
      Description: t.function.description ?? '',
      Parameters: params,
    },
    {
      json: [tag('Name', 'name'), tag('Description', 'description', api), tag('Parameters', 'parameters')],
      ...(api ? { ptrStringer: (s: GoStruct) => jsonOf(plain(s)) } : {}),
    },
  );
  const hasString = api || era === 'template-tool-string';
  return new GoStruct(
    api ? 'api.Tool' : 'template.templateTool',
    {
      Type: t.type,
      Items: fromJson(t.items),
      Function: fn,
    },
    {
      json: [tag('Type', 'type'), tag('Items', 'items', true), tag('Function', 'function')],
      ...(hasString ? { stringer: (s: GoStruct) => jsonOf(plain(s)) } : {}),
    },
  );
}

// --- messages -----------------------------------------------------------------------------------------

function argumentsValue(args: Readonly<Record<string, unknown>> | undefined, era: TemplateValueEra): GoMap {
  const entries = new Map<string, GoValue>(Object.entries(args ?? {}).map(([k, v]) => [k, fromJson(v)]));
  if (era === 'api') {
    return new GoMap(
      'api.ToolCallFunctionArguments',
      entries,
      { ptrStringer: (m) => (m.nil ? 'null' : jsonOf(new GoMap('map[string]interface {}', m.entries))) },
      args === undefined,
    );
  }
  return new GoMap(
    'template.templateArgs',
    entries,
    { stringer: (m) => (m.nil ? '{}' : jsonOf(new GoMap('map[string]interface {}', m.entries))) },
    args === undefined,
  );
}

function toolCallValue(c: ChatTemplateToolCall, era: TemplateValueEra): GoStruct {
  const api = era === 'api';
  const fn = new GoStruct(
    api ? 'api.ToolCallFunction' : 'template.templateToolCallFunction',
    {
      Index: BigInt(Math.trunc(c.function.index ?? 0)),
      Name: c.function.name,
      Arguments: argumentsValue(c.function.arguments, era),
    },
    api ? { json: [tag('Index', 'index'), tag('Name', 'name'), tag('Arguments', 'arguments')] } : {},
  );
  return new GoStruct(
    api ? 'api.ToolCall' : 'template.templateToolCall',
    { ID: c.id ?? '', Function: fn },
    api ? { json: [tag('ID', 'id', true), tag('Function', 'function')] } : {},
  );
}

const MESSAGE_JSON = [
  tag('Role', 'role'),
  tag('Content', 'content'),
  tag('Thinking', 'thinking', true),
  tag('Images', 'images', true),
  tag('ToolCalls', 'tool_calls', true),
  tag('ToolName', 'tool_name', true),
  tag('ToolCallID', 'tool_call_id', true),
];

/** One message as the template sees it: a pointer to templateMessage (api.Message before 0.14). */
export function messageValue(m: ChatTemplateMessage, era: TemplateValueEra): GoPtr {
  const api = era === 'api';
  const calls = m.tool_calls && m.tool_calls.length > 0 ? m.tool_calls : undefined;
  const s = new GoStruct(
    api ? 'api.Message' : 'template.templateMessage',
    {
      Role: m.role,
      Content: m.content,
      Thinking: m.thinking ?? '',
      Images:
        m.images && m.images.length > 0
          ? new GoSlice(
              '[]api.ImageData',
              m.images.map((b) => new GoBytes(b)),
            )
          : nilSlice('[]api.ImageData'),
      ToolCalls: calls
        ? new GoSlice(
            api ? '[]api.ToolCall' : '[]template.templateToolCall',
            calls.map((c) => toolCallValue(c, era)),
          )
        : nilSlice(api ? '[]api.ToolCall' : '[]template.templateToolCall'),
      ToolName: m.tool_name ?? '',
      ToolCallID: m.tool_call_id ?? '',
    },
    api ? { json: MESSAGE_JSON } : {},
  );
  return new GoPtr(api ? '*api.Message' : '*template.templateMessage', s);
}

/** The `.Messages` value. */
export function messagesValue(msgs: readonly ChatTemplateMessage[], era: TemplateValueEra): GoSlice {
  const api = era === 'api';
  return new GoSlice(
    api ? '[]*api.Message' : '[]*template.templateMessage',
    msgs.map((m) => messageValue(m, era)),
  );
}
