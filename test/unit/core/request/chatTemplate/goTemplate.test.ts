import assert from 'node:assert/strict';
import { GO_BUILTINS, TEMPLATE_FUNCTION_NAMES, ollamaFuncs } from '../../../../../src/core/request/chatTemplate/builtins';
import { executeTemplate } from '../../../../../src/core/request/chatTemplate/executor';
import { fromJson, type GoValue } from '../../../../../src/core/request/chatTemplate/goValues';
import { parseTemplate } from '../../../../../src/core/request/chatTemplate/parser';
import { TemplateError, type TemplateErrorKind } from '../../../../../src/core/request/chatTemplate/templateError';

// The Go text/template subset, checked against what Go's text/template writes for the same input
// (expected strings follow Go's documented semantics: trim markers, scoping, fmt, encoding/json).

const FUNCS = new Map([...GO_BUILTINS, ...ollamaFuncs({ now: () => new Date(2026, 0, 15) })].map((f) => [f.name, f]));

function run(source: string, data: unknown = {}, missingKey: 'zero' | 'invalid' = 'zero'): string {
  const tpl = parseTemplate(source, TEMPLATE_FUNCTION_NAMES);
  return executeTemplate(tpl, fromJson(data) as GoValue, { funcs: FUNCS, missingKey });
}

function fails(source: string, kind: TemplateErrorKind, detail: RegExp, data: unknown = {}): void {
  assert.throws(
    () => run(source, data),
    (e: unknown) => {
      assert.ok(e instanceof TemplateError, String(e));
      assert.equal(e.kind, kind, e.message);
      assert.match(e.detail, detail);
      return true;
    },
  );
}

describe('go template: text, trim markers and comments', () => {
  it('copies text and trims whitespace (space, tab, CR, LF) next to {{- and -}}', () => {
    assert.equal(run('a \t\r\n {{- "x" -}} \n\n b'), 'axb');
    assert.equal(run('a {{ "x" }} b'), 'a x b');
  });
  it('treats "{{-3}}" as the number -3, not a trim marker', () => {
    assert.equal(run('a {{-3}} b'), 'a -3 b');
  });
  it('drops comments, trimming around them when marked', () => {
    assert.equal(run('x{{/* a comment */}}y'), 'xy');
    assert.equal(run('x \n{{- /* a\nmultiline comment */ -}}\n y'), 'xy');
  });
  it('refuses a comment not followed directly by the closing delimiter, as Go does', () => {
    fails('{{/* c */ }}', 'parse', /comment ends before closing delimiter/);
    fails('{{/* c ', 'parse', /unclosed comment/);
  });
  it('accepts actions spanning lines (Go 1.16+)', () => {
    assert.equal(run('{{ if\n  true }}yes{{ end }}'), 'yes');
  });
});

describe('go template: control structures', () => {
  const data = { n: 2, empty: [], list: ['a', 'b', 'c'], m: { b: 2, a: 1, c: 3 }, s: '' };
  it('chooses if / else if / else by Go truth', () => {
    // JSON numbers are float64 in Go: compare them with float literals (an int literal would be an error).
    const t = '{{ if eq .n 1.0 }}one{{ else if eq .n 2.0 }}two{{ else }}many{{ end }}';
    assert.equal(run(t, data), 'two');
    assert.equal(run(t, { n: 7 }), 'many');
  });
  it('treats empty string, 0, 0.0, nil, empty list and empty map as false; struct-like maps with keys as true', () => {
    const t = '{{ if .v }}T{{ else }}F{{ end }}';
    for (const v of ['', 0, 0.0, null, [], {}]) assert.equal(run(t, { v }), 'F', JSON.stringify(v));
    for (const v of ['x', 1, 0.5, true, [0], { k: 0 }]) assert.equal(run(t, { v }), 'T', JSON.stringify(v));
    assert.equal(run(t, {}), 'F');
  });
  it('ranges with index and element variables, over lists in order and maps by sorted key', () => {
    assert.equal(run('{{ range $i, $e := .list }}{{ $i }}={{ $e }};{{ end }}', data), '0=a;1=b;2=c;');
    assert.equal(run('{{ range $k, $v := .m }}{{ $k }}{{ $v }}{{ end }}', data), 'a1b2c3');
    assert.equal(run('{{ range .list }}{{ . }}{{ end }}', data), 'abc');
  });
  it('runs the else branch of a range over nothing', () => {
    assert.equal(run('{{ range .empty }}x{{ else }}none{{ end }}', data), 'none');
    assert.equal(run('{{ range .missing }}x{{ else }}none{{ end }}', data), 'none');
  });
  it('supports {{break}} and {{continue}}', () => {
    assert.equal(run('{{ range .list }}{{ if eq . "b" }}{{ continue }}{{ end }}{{ . }}{{ end }}', data), 'ac');
    assert.equal(run('{{ range .list }}{{ if eq . "b" }}{{ break }}{{ end }}{{ . }}{{ end }}', data), 'a');
  });
  it('ranges over an integer (Go 1.22+)', () => {
    assert.equal(run('{{ range 3 }}{{ . }}{{ end }}'), '012');
  });
  it('sets dot with {{with}}, including {{else with}}', () => {
    const t = '{{ with .a }}A={{ . }}{{ else with .b }}B={{ . }}{{ else }}none{{ end }}';
    assert.equal(run(t, { a: 'x' }), 'A=x');
    assert.equal(run(t, { b: 'y' }), 'B=y');
    assert.equal(run(t, {}), 'none');
  });
  it('refuses {{break}} outside a range and a stray {{else}}/{{end}}', () => {
    fails('{{ break }}', 'parse', /\{\{break\}\} outside \{\{range\}\}/);
    fails('{{ else }}', 'parse', /unexpected \{\{else\}\}/);
    fails('x{{ end }}', 'parse', /unexpected \{\{end\}\}/);
    fails('{{ if true }}x', 'parse', /unexpected EOF/);
  });
});

describe('go template: variables', () => {
  it("assigns with = to the nearest declaration, across an if body (used by Qwen's $lastUserIdx)", () => {
    assert.equal(run('{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}'), '2');
    assert.equal(
      run('{{- $last := -1 -}}{{- range $i, $m := .l -}}{{- if eq $m "u" }}{{ $last = $i }}{{ end -}}{{- end }}{{ $last }}', { l: ['u', 'a', 'u', 'a'] }),
      '2',
    );
  });
  it('scopes a declaration to the enclosing control structure (a parse error outside it)', () => {
    fails('{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}', 'parse', /undefined variable "\$y"/);
  });
  it('fails at run time when assigning an undeclared variable, as Go does', () => {
    fails('{{ $z = 1 }}', 'exec', /undefined variable: \$z/);
  });
  it('keeps $ as the data inside range and with', () => {
    assert.equal(run('{{ range .l }}{{ $.name }}{{ end }}', { l: [1, 2], name: 'n' }), 'nn');
  });
  it('does not print an action that declares a variable', () => {
    assert.equal(run('{{ $x := "hidden" }}|{{ $x }}'), '|hidden');
  });
});

describe('go template: pipelines, parentheses and fields', () => {
  it('passes the previous value as the last argument', () => {
    assert.equal(run('{{ "abc" | printf "%s-%s" "x" }}'), 'x-abc');
    assert.equal(run('{{ .s | len }}', { s: 'héllo' }), '6');
  });
  it('evaluates parenthesised pipelines and field chains on them', () => {
    assert.equal(run('{{ (index .maps 1).k }}', { maps: [{ k: 'a' }, { k: 'b' }] }), 'b');
    assert.equal(run('{{ .a.b.c }}', { a: { b: { c: 'deep' } } }), 'deep');
  });
  it('prints a missing key as <no value>, and fails on a field of it (missingkey=zero)', () => {
    assert.equal(run('{{ .missing }}'), '<no value>');
    fails('{{ .missing.field }}', 'exec', /nil pointer evaluating interface \{\}\.field/);
  });
  it("yields no value for a field of a missing key with Go's default missingkey", () => {
    assert.equal(run('{{ .missing.field }}', {}, 'invalid'), '<no value>');
  });
  it('fails on a field of a string', () => {
    fails('{{ .s.x }}', 'exec', /can't evaluate field x in type string/, { s: 'str' });
  });
  it('refuses a non-executable command after a pipe, and an undefined function', () => {
    fails('{{ 1 | 2 }}', 'parse', /non executable command in pipeline stage 2/);
    fails('{{ nosuch 1 }}', 'parse', /function "nosuch" not defined/);
  });
  it('parses Go number and string literals', () => {
    assert.equal(run("{{ 0x1F }} {{ 1_000 }} {{ 'a' }} {{ -7 }} {{ 010 }}"), '31 1000 97 -7 8');
    assert.equal(run('{{ "tab\\tnl\\n\\u00e9\\"q\\"" }}'), 'tab\tnl\né"q"');
    assert.equal(run('{{ `raw \\n {{` }}'), 'raw \\n {{');
  });
});

describe('go template: builtins', () => {
  it('and/or return the deciding value and short-circuit', () => {
    assert.equal(run('{{ and 1 0 2 }}|{{ and 1 2 }}|{{ or 0 "" "x" }}|{{ or 0 "" }}|'), '0|2|x||');
    assert.equal(run('{{ or true (index .l 99) }}', { l: [] }), 'true');
  });
  it('not, eq with several candidates, ne, lt/le/gt/ge on ints, floats and strings', () => {
    assert.equal(
      run('{{ not 0 }} {{ eq 2 1 2 }} {{ ne "a" "b" }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt 1.5 1.25 }} {{ ge "b" "a" }}'),
      'true true true true true true true',
    );
  });
  it('eq: int against float64 is an error; nil against a string is simply false', () => {
    fails('{{ eq 1 .f }}', 'exec', /incompatible types for comparison: int and float64/, { f: 1 });
    assert.equal(run('{{ eq .missing "x" }}'), 'false');
  });
  it('len counts UTF-8 bytes, list items and map keys', () => {
    assert.equal(run('{{ len "日本" }} {{ len .l }} {{ len .m }}', { l: [1, 2, 3], m: { a: 1 } }), '6 3 1');
  });
  it('index reads lists, maps and string bytes; slice cuts lists and strings', () => {
    assert.equal(run('{{ index .l 1 }} {{ index .m "k" }} {{ index "hi" 0 }}', { l: ['a', 'b'], m: { k: 'v' } }), 'b v 104');
    assert.equal(run('{{ slice "hello" 1 3 }} {{ slice .l 1 }} {{ len (slice .l 0 0) }}', { l: ['a', 'b', 'c'] }), 'el [b c] 0');
    fails('{{ index .l 5 }}', 'exec', /error calling index: .*out of range/, { l: ['a'] });
  });
  it('print adds spaces between operands when neither is a string; println always', () => {
    assert.equal(run('{{ print 1 2 "a" 3 }}|{{ println 1 "a" }}'), '1 2a3|1 a\n');
  });
  it('printf formats like fmt.Sprintf', () => {
    assert.equal(
      run('{{ printf "%d|%5.2f|%q|%v|%s|%x|%05d|%-4d|%+d|%t|%%|%c|%e|%g" 42 3.14159 "a\\"b\\n" .l "s" "hi" -42 7 7 true 65 1234.5 0.000012 }}', {
        l: [1, 'x'],
      }),
      '42| 3.14|"a\\"b\\n"|[1 x]|s|6869|-0042|7   |+7|true|%|A|1.234500e+03|1.2e-05',
    );
  });
  it('printf marks wrong, missing and extra arguments as fmt does', () => {
    assert.equal(run('{{ printf "%s %d" 5 }}'), '%!s(int=5) %!d(MISSING)');
    assert.equal(run('{{ printf "x" 1 "y" }}'), 'x%!(EXTRA int=1, string=y)');
  });
  it('prints floats as Go does (%v uses the shortest digits, exponent from 1e21 only in JSON)', () => {
    assert.equal(
      run('{{ .a }} {{ .b }} {{ .c }} {{ .d }} {{ .e }} {{ 2.0 }}', { a: 1.5, b: 1e6, c: 100000, d: 0.00001, e: 1234567 }),
      '1.5 1e+06 100000 1e-05 1.234567e+06 2',
    );
  });
  it('html escapes like text/template', () => {
    assert.equal(run('{{ html "<a href=\'x\'>&\\"" }}'), '&lt;a href=&#39;x&#39;&gt;&amp;&#34;');
  });
  it('refuses the wrong number of arguments', () => {
    fails('{{ len }}', 'exec', /wrong number of args for len: want 1 got 0/);
    fails('{{ not 1 2 }}', 'exec', /wrong number of args for not: want 1 got 2/);
  });
});

describe("go template: Ollama's json function (encoding/json)", () => {
  it('escapes < > & and U+2028, keeps other unicode, sorts map keys', () => {
    assert.equal(
      run('{{ json .v }}', { v: { z: '<a & b>', a: 'é\u2028😀', m: [1, 2.5, true, null] } }),
      '{"a":"é\\u2028😀","m":[1,2.5,true,null],"z":"\\u003ca \\u0026 b\\u003e"}',
    );
  });
  it('writes floats as Go: integers without a dot, exponents below 1e-6 and from 1e21', () => {
    assert.equal(run('{{ json .v }}', { v: [3, 0.1, 1e21, 1e-7, 123456789012] }), '[3,0.1,1e+21,1e-7,123456789012]');
  });
  it('escapes control characters the Go way', () => {
    assert.equal(run('{{ json .s }}', { s: 'a\u0001\b\f\n\r\t"\\' }), '"a\\u0001\\b\\f\\n\\r\\t\\"\\\\"');
  });
  it('renders a missing value as null', () => {
    assert.equal(run('{{ json .missing }}'), 'null');
  });
});

describe('go template: unsupported constructs and error positions', () => {
  it('rejects {{define}}, {{template}} and {{block}} at parse time', () => {
    fails('{{ define "x" }}y{{ end }}', 'unsupported', /not supported/);
    fails('{{ template "x" }}', 'unsupported', /not supported/);
    fails('{{ block "x" . }}y{{ end }}', 'unsupported', /not supported/);
  });
  it('rejects js, urlquery, call and Go-syntax printf when executed', () => {
    fails('{{ js "x" }}', 'unsupported', /js/);
    fails('{{ urlquery "x" }}', 'unsupported', /urlquery/);
    fails('{{ printf "%#v" 1 }}', 'unsupported', /%#v/);
  });
  it('reports the line and column of the failing action', () => {
    assert.throws(
      () => run('line one\n  {{ .s.x }}', { s: 'str' }),
      (e: unknown) => {
        assert.ok(e instanceof TemplateError);
        assert.deepEqual([e.position?.line, e.position?.column], [2, 6]);
        assert.match(e.message, /line 2, column 6/);
        assert.equal(e.code, 'chat-template');
        return true;
      },
    );
    assert.throws(
      () => run('ok\n\n{{ if }}'),
      (e: unknown) => e instanceof TemplateError && e.position?.line === 3 && /missing value for if/.test(e.detail),
    );
  });
});
