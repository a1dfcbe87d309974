import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Who holds a lock or a reservation: enough to tell later whether that process still exists. */
export interface ProcessIdentity {
  pid: number;
  host: string;
  /** A marker of when the process started, so a reused pid is not mistaken for the original owner. */
  start: string;
}

/** Linux exposes a process's start time in clock ticks since boot: field 22 of /proc/<pid>/stat. */
function procStartTicks(pid: number | 'self'): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

let self: ProcessIdentity | undefined;

/** This process's identity (computed once). */
export function currentProcess(): ProcessIdentity {
  if (!self) {
    const ticks = procStartTicks('self');
    // Elsewhere the wall-clock start is only informative: another process's start cannot be read portably.
    const start = ticks !== undefined ? `proc:${ticks}` : `wall:${Math.round(Date.now() - process.uptime() * 1000)}`;
    self = { pid: process.pid, host: os.hostname(), start };
  }
  return self;
}

/**
 * Whether `owner` is still running: 'dead' only when we are sure (same host, and the pid is gone or now
 * belongs to a process that started at another time); 'unknown' for another host.
 */
export function processState(owner: ProcessIdentity): 'alive' | 'dead' | 'unknown' {
  const me = currentProcess();
  if (owner.host !== me.host) return 'unknown';
  if (owner.pid === me.pid) return owner.start === me.start ? 'alive' : 'dead';
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    // EPERM: the pid exists but belongs to another user; treat it as alive rather than steal from it.
    return (e as NodeJS.ErrnoException).code === 'ESRCH' ? 'dead' : 'alive';
  }
  if (owner.start.startsWith('proc:')) {
    const ticks = procStartTicks(owner.pid);
    if (ticks !== undefined && `proc:${ticks}` !== owner.start) return 'dead';
  }
  return 'alive';
}
