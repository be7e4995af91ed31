import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

// Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream kernel build).
const TICKS_PER_SECOND = 100;

/**
 * The live processes of a process group with their /proc stat fields after the command name (which is in
 * parentheses and may contain spaces): state ppid pgrp ... Linux only: undefined without /proc.
 */
function processGroupStats(processGroup: number): Array<{ pid: number; fields: string[] }> | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  return entries.flatMap((pid) => {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return []; // ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[2]) === processGroup ? [{ pid: Number(pid), fields }] : [];
  });
}

/**
 * CPU seconds (user + system) used so far by the live processes of a process group, all their threads included
 * (serverless-offline runs each function invocation in a worker thread). Linux only: undefined without /proc.
 * Unlike wall time, CPU time hardly moves with what else the machine runs.
 */
export function processGroupCpuSeconds(processGroup: number): number | undefined {
  const processes = processGroupStats(processGroup);
  if (processes === undefined) return undefined;
  const ticks = processes.reduce((sum, { fields }) => sum + Number(fields[11]) + Number(fields[12]), 0);
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

/** Disjoint sets of cores (taskset lists): `measured` for the code under test and its baseline, `localAws` for the rest. */
export interface CoreSplit {
  measured: string;
  localAws: string;
  all: string;
}

/** Half the cores for what is measured, half for the emulated AWS; undefined with fewer than 2 cores or no taskset. */
export function coreSplit(): CoreSplit | undefined {
  const cores = os.availableParallelism();
  if (cores < 2 || spawnSync('taskset', ['--version']).status !== 0) return undefined;
  const localAwsCores = Math.floor(cores / 2);
  const list = (first: number, last: number) => (first === last ? `${first}` : `${first}-${last}`);
  return {
    localAws: list(0, localAwsCores - 1),
    measured: list(localAwsCores, cores - 1),
    all: list(0, cores - 1),
  };
}

/** Restricts every thread of a process to `cores`; threads it starts later inherit that. */
export function pinProcess(pid: number, cores: string): void {
  const result = spawnSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cores, String(pid)]);
  if (result.status !== 0 && existsSync(`/proc/${pid}`))
    throw new Error(`taskset ${cores} ${pid}: ${result.stderr.toString().trim()}`);
}

/** pinProcess for every process of a process group (Linux only; nothing without /proc). */
export function pinProcessGroup(processGroup: number, cores: string): void {
  for (const { pid } of processGroupStats(processGroup) ?? []) pinProcess(pid, cores);
}
