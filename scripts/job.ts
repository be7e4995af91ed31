/**
 * `pnpm job <name> [--now <ISO time>]`: runs a scheduled function once, as its schedule would, with an
 * injectable clock (the event's `time`). Uses the running `pnpm dev`, else starts the system for the one run.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  findJob,
  invokeOffline,
  LocalAwsError,
  readDevState,
  scheduledEvent,
  startSystem,
} from '@pixelvault/local-aws';

const repoRoot = path.resolve(__dirname, '..');

async function main(): Promise<unknown> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { now: { type: 'string' } } });
  const name = positionals[0];
  if (!name) throw new LocalAwsError('Usage: pnpm job <name> [--now <ISO time>]');
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new LocalAwsError(`--now "${values.now}" is not an ISO date-time.`);

  const running = readDevState(repoRoot);
  if (running) {
    const job = findJob(running.jobs, name);
    if (!job)
      throw new LocalAwsError(
        `No scheduled job "${name}"; known: ${running.jobs.map((j) => j.name).join(', ') || 'none'}.`,
      );
    return invokeOffline(job.lambdaUrl, job.functionName, scheduledEvent(running.region, now));
  }
  const system = await startSystem({ repoRoot, dataDir: path.join(repoRoot, '.local', 'data') });
  try {
    return await system.runJob(name, now);
  } finally {
    await system.stop();
  }
}

main().then(
  (result) => {
    console.log(JSON.stringify(result ?? null, null, 2));
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error instanceof LocalAwsError ? `pnpm job: ${error.message}` : error);
    process.exit(1);
  },
);
