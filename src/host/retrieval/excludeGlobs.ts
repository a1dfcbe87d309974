// `files.exclude` and `search.exclude` as the index applies them. VS Code's findFiles applies files.exclude but not
// search.exclude, and file watchers apply neither to every event, so the host checks paths itself: the patterns in
// VS Code's glob syntax (`**`, `*`, `?`, `{a,b}`, `[a-z]`, `[!a]`), matched against a workspace-relative path and
// every folder above it (an excluded folder excludes what is inside). Patterns with a `when` clause are not applied.

/** A VS Code glob as an anchored regular expression over `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let braces = 0;
  // Unbalanced braces are taken literally rather than breaking the expression.
  const groups = (glob.match(/\{/g)?.length ?? 0) === (glob.match(/\}/g)?.length ?? 0);
  for (let i = 0; i < glob.length;) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      i += 2;
      // `**/` is any number of whole folders, none included; a trailing `**` is anything below.
      if (glob[i] === '/') {
        re += '(?:.*/)?';
        i++;
      } else re += '.*';
    } else if (c === '*') {
      re += '[^/]*';
      i++;
    } else if (c === '?') {
      re += '[^/]';
      i++;
    } else if (c === '{' && groups) {
      braces++;
      re += '(?:';
      i++;
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
      i++;
    } else if (c === ',' && braces > 0) {
      re += '|';
      i++;
    } else if (c === '[' && glob.indexOf(']', i + 2) > i) {
      const end = glob.indexOf(']', i + 2);
      const body = glob.slice(i + 1, end);
      re += `[${body[0] === '!' || body[0] === '^' ? `^${escapeClass(body.slice(1))}` : escapeClass(body)}]`;
      i = end + 1;
    } else {
      re += c.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
      i++;
    }
  }
  return new RegExp(`^${re}$`);
}

function escapeClass(body: string): string {
  return body.replace(/[\\\]^]/g, '\\$&');
}

/** The exclude patterns of one folder's settings. */
export class ExcludeRules {
  private readonly expressions: RegExp[];

  /** `settings`: the `files.exclude` and `search.exclude` objects (pattern -> true | false | { when }). */
  constructor(...settings: (Record<string, unknown> | undefined)[]) {
    const patterns = new Set<string>();
    for (const s of settings) for (const [pattern, on] of Object.entries(s ?? {})) if (on === true) patterns.add(pattern.replace(/^\.\//, ''));
    this.patterns = [...patterns];
    this.expressions = this.patterns.map(globToRegExp);
  }

  readonly patterns: string[];

  /** True when the path, or a folder above it, matches a pattern. */
  matches(path: string): boolean {
    if (this.expressions.length === 0) return false;
    for (let end = path.indexOf('/'); ; end = path.indexOf('/', end + 1)) {
      const prefix = end < 0 ? path : path.slice(0, end);
      if (this.expressions.some((e) => e.test(prefix))) return true;
      if (end < 0) return false;
    }
  }

  /**
   * The patterns as one glob for findFiles' `exclude`, so excluded folders are not even listed: `{a,b}`. Patterns
   * that hold braces or commas cannot join the group; `matches` still applies them to what is listed.
   */
  findFilesGlob(): string | undefined {
    const simple = this.patterns.filter((p) => !/[{},]/.test(p));
    return simple.length ? `{${simple.join(',')}}` : undefined;
  }
}
