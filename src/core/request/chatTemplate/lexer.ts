import { TemplateError, positionAt } from './templateError';

// A lexer for Go's text/template, following the states of Go's text/template/parse/lex.go so that
// trim markers, comments and spacing behave byte for byte as in Ollama (which parses with Go).

export type TokenType =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'field'
  | 'variable'
  | 'identifier'
  | 'keyword'
  | 'string'
  | 'rawString'
  | 'char'
  | 'charConstant'
  | 'number'
  | 'bool'
  | 'nil'
  | 'dot'
  | 'assign'
  | 'declare'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'eof';

export interface Token {
  readonly type: TokenType;
  readonly val: string;
  /** Offset of the token in the source (UTF-16 index). */
  readonly pos: number;
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'nil', 'template', 'with']);

/** Go's isSpace in lex.go: only these four bytes count as space around trim markers and in actions. */
function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isAlphaNumeric(c: string): boolean {
  return c === '_' || /[\p{L}\p{Nd}]/u.test(c);
}

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s.length >= at + 2 && s[at] === '-' && isSpace(s[at + 1]);
}

function hasRightTrimMarker(s: string, at: number): boolean {
  return s.length >= at + 2 && isSpace(s[at]) && s[at + 1] === '-';
}

/** Splits a template source into tokens; throws a `parse` TemplateError on lexical errors, as Go does. */
export function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let parenDepth = 0;

  const fail = (at: number, detail: string): never => {
    throw new TemplateError('parse', 'lexer', detail, positionAt(input, at));
  };
  const emit = (type: TokenType, start: number, end: number): void => {
    tokens.push({ type, val: input.slice(start, end), pos: start });
  };
  const atRightDelim = (at: number): { delim: boolean; trim: boolean } => {
    if (hasRightTrimMarker(input, at) && input.startsWith('}}', at + 2)) return { delim: true, trim: true };
    if (input.startsWith('}}', at)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  };
  const skipLeadingSpace = (at: number): number => {
    while (at < input.length && isSpace(input[at])) at++;
    return at;
  };
  const atTerminator = (at: number): boolean => {
    if (at >= input.length) return true;
    const c = input[at];
    if (isSpace(c)) return true;
    if ('.,|:)('.includes(c)) return true;
    return input.startsWith('}}', at);
  };

  while (pos <= input.length) {
    // lexText: everything up to the next left delimiter.
    const next = input.indexOf('{{', pos);
    if (next < 0) {
      if (pos < input.length) emit('text', pos, input.length);
      break;
    }
    let textEnd = next;
    const trimBefore = hasLeftTrimMarker(input, next + 2);
    if (trimBefore) while (textEnd > pos && isSpace(input[textEnd - 1])) textEnd--;
    if (textEnd > pos) emit('text', pos, textEnd);

    // lexLeftDelim
    let at = next + 2;
    const afterMarker = trimBefore ? 2 : 0;
    if (input.startsWith('/*', at + afterMarker)) {
      // lexComment: comments are dropped (Ollama does not parse with ParseComments).
      at += afterMarker + 2;
      const close = input.indexOf('*/', at);
      if (close < 0) fail(next, 'unclosed comment');
      at = close + 2;
      const rd = atRightDelim(at);
      if (!rd.delim) fail(next, 'comment ends before closing delimiter');
      at += (rd.trim ? 2 : 0) + 2;
      pos = rd.trim ? skipLeadingSpace(at) : at;
      continue;
    }
    emit('leftDelim', next, next + 2);
    at += afterMarker;
    parenDepth = 0;

    // lexInsideAction until the right delimiter.
    for (;;) {
      const rd = atRightDelim(at);
      if (rd.delim) {
        if (parenDepth !== 0) fail(at, 'unclosed left paren');
        if (rd.trim) at += 2;
        emit('rightDelim', at, at + 2);
        at += 2;
        if (rd.trim) at = skipLeadingSpace(at);
        break;
      }
      if (at >= input.length) fail(next, 'unclosed action');
      const c = input[at];
      const start = at;
      if (isSpace(c)) {
        let n = 0;
        while (at < input.length && isSpace(input[at])) {
          at++;
          n++;
        }
        // A space followed by "-}}" belongs to the trim-marked delimiter.
        if (hasRightTrimMarker(input, at - 1) && input.startsWith('}}', at + 1)) {
          at--;
          if (n === 1) continue;
        }
        emit('space', start, at);
        continue;
      }
      at++;
      switch (c) {
        case '=':
          emit('assign', start, at);
          continue;
        case ':':
          if (input[at] !== '=') fail(start, 'expected :=');
          at++;
          emit('declare', start, at);
          continue;
        case '|':
          emit('pipe', start, at);
          continue;
        case '"': {
          for (;;) {
            const d = input[at];
            if (d === undefined || d === '\n') fail(start, 'unterminated quoted string');
            at++;
            if (d === '\\') {
              const e = input[at];
              if (e === undefined || e === '\n') fail(start, 'unterminated quoted string');
              at++;
              continue;
            }
            if (d === '"') break;
          }
          emit('string', start, at);
          continue;
        }
        case '`': {
          const close = input.indexOf('`', at);
          if (close < 0) fail(start, 'unterminated raw quoted string');
          at = close + 1;
          emit('rawString', start, at);
          continue;
        }
        case '$':
          at = lexFieldOrVariable(start, at, 'variable');
          continue;
        case "'": {
          for (;;) {
            const d = input[at];
            if (d === undefined || d === '\n') fail(start, 'unterminated character constant');
            at++;
            if (d === '\\') {
              at++;
              continue;
            }
            if (d === "'") break;
          }
          emit('charConstant', start, at);
          continue;
        }
        case '(':
          parenDepth++;
          emit('leftParen', start, at);
          continue;
        case ')':
          parenDepth--;
          if (parenDepth < 0) fail(start, 'unexpected right paren');
          emit('rightParen', start, at);
          continue;
        default:
          break;
      }
      if (c === '.' && !(at < input.length && input[at] >= '0' && input[at] <= '9')) {
        at = lexFieldOrVariable(start, at, 'field');
        continue;
      }
      if (c === '.' || c === '+' || c === '-' || (c >= '0' && c <= '9')) {
        at = lexNumber(start);
        continue;
      }
      if (isAlphaNumeric(c)) {
        while (at < input.length && isAlphaNumeric(input[at])) at++;
        if (!atTerminator(at)) fail(at, `bad character ${quoteRune(input[at])}`);
        const word = input.slice(start, at);
        if (KEYWORDS.has(word)) emit(word === 'nil' ? 'nil' : 'keyword', start, at);
        else if (word === 'true' || word === 'false') emit('bool', start, at);
        else emit('identifier', start, at);
        continue;
      }
      const code = c.codePointAt(0) ?? 0;
      if (code <= 0x7f && code >= 0x20 && code !== 0x7f) {
        emit('char', start, at);
        continue;
      }
      fail(start, `unrecognized character in action: ${quoteRune(c)}`);
    }
    pos = at;
  }
  tokens.push({ type: 'eof', val: '', pos: input.length });
  return tokens;

  function lexFieldOrVariable(start: number, at: number, type: 'field' | 'variable'): number {
    if (atTerminator(at)) {
      emit(type === 'variable' ? 'variable' : 'dot', start, at);
      return at;
    }
    while (at < input.length && isAlphaNumeric(input[at])) at++;
    if (!atTerminator(at)) fail(at, `bad character ${quoteRune(input[at])}`);
    emit(type, start, at);
    return at;
  }

  function lexNumber(start: number): number {
    // Go's scanNumber: optional sign, hex/octal/binary prefixes, digits with '_', fraction, exponent, 'i'.
    let at = start;
    if (input[at] === '+' || input[at] === '-') at++;
    let digits = '0123456789_';
    if (input[at] === '0' && /[xXoObB]/.test(input[at + 1] ?? '')) {
      const p = input[at + 1].toLowerCase();
      at += 2;
      digits = p === 'x' ? '0123456789abcdefABCDEF_' : p === 'o' ? '01234567_' : '01_';
    }
    while (at < input.length && digits.includes(input[at])) at++;
    if (input[at] === '.') {
      at++;
      while (at < input.length && digits.includes(input[at])) at++;
    }
    const exp = digits.length > 16 ? 'pP' : 'eEpP';
    if (exp.includes(input[at] ?? '\u0000')) {
      at++;
      if (input[at] === '+' || input[at] === '-') at++;
      while (at < input.length && '0123456789_'.includes(input[at])) at++;
    }
    if (input[at] === 'i') at++;
    if (at < input.length && isAlphaNumeric(input[at])) fail(start, `bad number syntax: "${input.slice(start, at + 1)}"`);
    if (at === start || /^[+-]$/.test(input.slice(start, at))) fail(start, `bad number syntax: "${input.slice(start, at + 1)}"`);
    emit('number', start, at);
    return at;
  }
}

function quoteRune(c: string | undefined): string {
  if (c === undefined) return 'EOF';
  const cp = c.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}
