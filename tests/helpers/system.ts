import { invokeOffline, scheduledEvent, type SystemDescriptor } from '@pixelvault/local-aws';

/** The local system the integration run's global setup started. */
export function testSystem(): SystemDescriptor {
  const described = process.env.PIXELVAULT_SYSTEM;
  if (!described)
    throw new Error('PIXELVAULT_SYSTEM is not set: run this test in the jest "integration" project');
  return JSON.parse(described) as SystemDescriptor;
}

/** Runs a scheduled function once, as its schedule would, with `now` as the job's clock. */
export async function runJob<T>(name: string, now: Date): Promise<T> {
  const system = testSystem();
  const job = system.jobs.find((candidate) => candidate.name === name);
  if (!job) throw new Error(`no scheduled job ${name}`);
  return (await invokeOffline(job.lambdaUrl, job.functionName, scheduledEvent(system.region, now))) as T;
}
