import { readdirSync, readFileSync } from 'node:fs';

// Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream kernel build).
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) used so far by the live processes of a process group, all their threads included
 * (serverless-offline runs each function invocation in a worker thread). Linux only: undefined without /proc.
 * Unlike wall time, CPU time hardly moves with what else the machine runs.
 */
export function processGroupCpuSeconds(processGroup: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  let ticks = 0;
  for (const pid of entries) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // Fields after the command name, which is in parentheses and may contain spaces: state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== processGroup) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** The process group this process runs in, with the children it started (DynamoDB Local's JVM); Linux only. */
export function ownProcessGroup(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

/** CPU seconds this process has used so far (every thread, libvips' included). */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
