// Test support: a process's children (optionally only those whose command line contains `match`),
// whether a pid is still alive and which members of a process group still run, for tests that
// prove nothing outlives its parent.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

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

/**
 * Pids of the live (not zombie) members of process group `pgid`, from /proc: a server fixture's
 * group is gone only when its workers are too (nginx's worker may outlive its master), and a
 * reparented zombie, which kill(-pgid, 0) still counts, holds no port.
 */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return alive(-pgid) ? [pgid] : []; // no /proc: the kernel's view, zombies included
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // Fields after the command name (which may hold spaces): state, ppid, pgrp, ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') out.push(Number(name));
  }
  return out;
}

/** The children of pid: every thread's children list in /proc, with ps --ppid as a second witness. */
export function childrenOf(pid: number): number[] {
  const kids = new Set<number>(childPids(pid));
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    const text = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    for (const k of text ? text.split(/\s+/) : []) kids.add(Number(k));
  }
  return [...kids];
}
