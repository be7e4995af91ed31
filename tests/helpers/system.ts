import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
// Deep import, as local-aws's seed does: core's index also loads Middy, which only ships ESM entries.
import { createDb, type Db } from '@pixelvault/core/src/entities';
import {
  invokeOffline,
  LOCAL_CREDENTIALS,
  scheduledEvent,
  type SystemDescriptor,
} from '@pixelvault/local-aws';

/** The local system the integration run's global setup started. */
export function testSystem(): SystemDescriptor {
  const described = process.env.PIXELVAULT_SYSTEM;
  if (!described)
    throw new Error('PIXELVAULT_SYSTEM is not set: run this test in the jest "integration" project');
  return JSON.parse(described) as SystemDescriptor;
}

let db: Db | undefined;

/** The system's table through core's entities: for reading back what the API did (or did not) write. */
export function systemDb(): Db {
  const system = testSystem();
  db ??= createDb({
    client: new DynamoDBClient({
      endpoint: system.endpoints.dynamodb,
      region: system.region,
      credentials: LOCAL_CREDENTIALS,
    }),
    table: system.outputs.TableName!,
  });
  return db;
}

/**
 * Runs a scheduled function once, as its schedule would, with `now` as the job's clock. Tests move the clock
 * across years, so the job's watermark is forgotten first (the run looks back its first-run 48 hours), unless
 * the test is about the watermark (`keepWatermark`).
 */
export async function runJob<T>(name: string, now: Date, { keepWatermark = false } = {}): Promise<T> {
  const system = testSystem();
  const job = system.jobs.find((candidate) => candidate.name === name);
  if (!job) throw new Error(`no scheduled job ${name}`);
  if (!keepWatermark) await systemDb().entities.sweepWatermark.delete({ job: name }).go();
  return (await invokeOffline(job.lambdaUrl, job.functionName, scheduledEvent(system.region, now))) as T;
}

/**
 * Points the AWS SDK and the services' configuration of this process at the test system, so a test can run a
 * service's domain over its real adapters (e.g. with a fault injected into one port). Call before the service's
 * modules are loaded (`await import(...)`): core's clients read the endpoints when they are created.
 */
export function useSystemAws(): void {
  const system = testSystem();
  Object.assign(process.env, {
    AWS_REGION: system.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: system.endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: system.endpoints.s3,
    AWS_ENDPOINT_URL_SQS: system.endpoints.sqs,
    TABLE_NAME: system.outputs.TableName!,
    BUCKET_NAME: system.outputs.BucketName!,
  });
}

/**
 * An hour of `year` far from every other test's files (they expire within a day of now), so a sweep there finds
 * only the calling test's.
 */
export const quietHour = (year: number) =>
  new Date(Date.UTC(year, 0, 1) + Math.floor(Math.random() * 300 * 24) * 3_600_000 + 17 * 60 * 1000);
