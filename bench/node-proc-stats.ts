// Bench support: CPU time and resident memory of a set of processes, read from /proc (Linux).
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime of a process, in seconds; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Direct children of a process. */
export function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Samples CPU over a window and the peak RSS (summed over the processes) while it runs. */
export class ProcSampler {
  private cpuStart = 0;
  private startAt = 0;
  private peakRss = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly pids: () => number[]) {}

  start(): void {
    this.startAt = Date.now();
    this.cpuStart = this.pids().reduce((a, p) => a + cpuSeconds(p), 0);
    this.sampleRss();
    this.timer = setInterval(() => this.sampleRss(), 1000);
  }

  stop(): { cpuPct: number; rssMb: number } {
    if (this.timer) clearInterval(this.timer);
    this.sampleRss();
    const cpu = this.pids().reduce((a, p) => a + cpuSeconds(p), 0) - this.cpuStart;
    const seconds = (Date.now() - this.startAt) / 1000;
    return { cpuPct: Math.round((cpu / seconds) * 1000) / 10, rssMb: Math.round(this.peakRss) };
  }

  private sampleRss(): void {
    this.peakRss = Math.max(this.peakRss, this.pids().reduce((a, p) => a + rssMb(p), 0));
  }
}
