// CPU and memory of a process tree from /proc (Linux): what the engine costs, children included.
import fs from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

export function descendants(pid: number): number[] {
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    let kids: number[] = [];
    try {
      kids = fs.readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      /* exited */
    }
    out.push(...kids);
    stack.push(...kids);
  }
  return out;
}

/** CPU seconds (user + system) used so far by each pid. */
export function cpuSeconds(pids: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      m.set(pid, (Number(fields[11]) + Number(fields[12])) / TICKS);
    } catch {
      /* exited */
    }
  }
  return m;
}

export function rssMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += m ? Number(m[1]) : 0;
    } catch {
      /* exited */
    }
  }
  return Math.round(kb / 1024);
}

export function comm(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}
