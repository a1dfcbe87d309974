import { systemClock, type Clock, type Logger } from '../../src/core/runtime';

/** A clock whose sleeps return at once and are recorded; timers stay real (tests use small timeouts). */
export function instantSleepClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    ...systemClock,
    async sleep(ms, signal) {
      sleeps.push(ms);
      if (signal?.aborted) throw signal.reason;
    },
  };
}

/** A logger that keeps every line, by level. */
export function recordingLogger(): Logger & { lines: { level: string; message: string }[]; usages: string[] } {
  const lines: { level: string; message: string }[] = [];
  const usages: string[] = [];
  return {
    lines,
    usages,
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
    usage: (line) => usages.push(line),
  };
}

/** POSTs JSON to the simulator with global fetch and returns status, content type and the raw text. */
export async function post(url: string, body: unknown): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}
