import type { WorkspaceFile } from '../../../../../src/core/context/retrieval';

// A small workspace of realistic files, given to the index as text (as the host gives dirty editors).

export const PARSE_URL = `import { InvalidArgumentError } from './errors';

/** Splits a URL string into its parts, rejecting anything that is not http or https. */
export function parseUrl(input: string): URL {
  const url = new URL(input);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(\`unsupported protocol \${url.protocol}\`);
  }
  return url;
}

export function originOf(input: string): string {
  return parseUrl(input).origin;
}
`;

export const LRU = `export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Re-insert so the key becomes the most recently used.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.evictOldest();
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }
}
`;

export const RETRY = `import time

class RetryPolicy:
    """Exponential backoff between attempts."""

    def __init__(self, attempts, base_delay):
        self.attempts = attempts
        self.base_delay = base_delay

    def delay_for(self, attempt):
        return self.base_delay * (2 ** (attempt - 1))

    def run(self, action):
        for attempt in range(1, self.attempts + 1):
            try:
                return action()
            except TimeoutError:
                if attempt == self.attempts:
                    raise
                time.sleep(self.delay_for(attempt))
`;

export const README = `# Demo service

The service parses URLs, caches responses in an LRU cache and retries timeouts with exponential backoff.
Run it with \`npm start\`.
`;

/** The four files, as the host would list them with their text. */
export function workspace(): WorkspaceFile[] {
  return [
    { path: 'src/http/parseUrl.ts', text: PARSE_URL },
    { path: 'src/cache/lru.ts', text: LRU },
    { path: 'tools/retry.py', text: RETRY },
    { path: 'README.md', text: README },
  ];
}
