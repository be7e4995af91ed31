import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..');

/** A benchmark's figures with enough context to compare runs: when, where, on which commit. */
export function writeResults(suite: string, figures: unknown): string {
  const file = path.join(repoRoot, 'bench', 'results', `${suite}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  const commit = (() => {
    try {
      return execSync('git rev-parse --short HEAD', { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      return 'uncommitted';
    }
  })();
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
  writeFileSync(
    file,
    `${JSON.stringify({ suite, date: new Date().toISOString(), commit, machine, figures }, null, 2)}\n`,
  );
  return file;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
