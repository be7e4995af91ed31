import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalSystem } from './system';
import type { LocalAwsEndpoints } from './stack';

/** How to reach a running local system from another process: `pnpm job`, or a jest worker. */
export interface SystemDescriptor {
  url: string;
  stage: string;
  params: Record<string, string>;
  region: string;
  endpoints: LocalAwsEndpoints;
  outputs: Record<string, string>;
  jobs: Array<{ name: string; functionName: string; lambdaUrl: string }>;
  /** Each function service's Lambda invoke endpoint (serverless-offline), by service folder name. */
  lambdaUrls: Record<string, string>;
}

export interface DevState extends SystemDescriptor {
  pid: number;
}

export function describeSystem(system: LocalSystem): SystemDescriptor {
  return {
    url: system.url,
    stage: system.stage,
    params: system.params,
    region: system.aws.region,
    endpoints: system.aws.endpoints,
    outputs: system.outputs,
    jobs: system.jobs.map((job) => ({
      name: job.functionKey,
      functionName: job.functionName,
      lambdaUrl: system.services.find((service) => service.name === job.service)!.lambdaUrl,
    })),
    lambdaUrls: Object.fromEntries(system.services.map((service) => [service.name, service.lambdaUrl])),
  };
}

/** Job names are function keys; `report-queue-depths` finds `reportQueueDepths` too. */
export function findJob<T extends { name: string }>(jobs: readonly T[], name: string): T | undefined {
  const normalize = (value: string) => value.replaceAll('-', '').toLowerCase();
  return jobs.find((job) => normalize(job.name) === normalize(name));
}

const stateFile = (repoRoot: string) => path.join(repoRoot, '.local', 'dev.json');

export function writeDevState(repoRoot: string, state: DevState): void {
  mkdirSync(path.dirname(stateFile(repoRoot)), { recursive: true });
  writeFileSync(stateFile(repoRoot), JSON.stringify(state, null, 2));
}

export function clearDevState(repoRoot: string): void {
  rmSync(stateFile(repoRoot), { force: true });
}

/** The state of a `pnpm dev` that is still alive, or undefined. */
export function readDevState(repoRoot: string): DevState | undefined {
  if (!existsSync(stateFile(repoRoot))) return undefined;
  const state = JSON.parse(readFileSync(stateFile(repoRoot), 'utf8')) as DevState;
  try {
    process.kill(state.pid, 0);
    return state;
  } catch {
    return undefined;
  }
}
