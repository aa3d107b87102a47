// Test support: a process's children (optionally only those whose command line contains `match`)
// and whether a pid is still alive, for tests that prove nothing outlives its parent.
import { execFileSync } from 'node:child_process';

export function childPids(pid: number, match?: string): number[] {
  let out: string;
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are none
  }
  return out
    .split('\n')
    .filter((l) => l.trim() && (match === undefined || l.includes(match)))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
