import type { SQSBatchResponse } from 'aws-lambda';
import { invokeWithSqsBatch, takeMessages } from './queues';
import { testSystem } from './system';

/** The integration run does not poll the cleanup queue (global setup): tests take its messages and run the worker. */
export const invokeCleanupWorker = (bodies: unknown[]): Promise<SQSBatchResponse> =>
  invokeWithSqsBatch(
    'scheduler-service',
    'cleanUp',
    testSystem().outputs.CleanupQueueArn!,
    bodies.map((body) => JSON.stringify(body)),
  );

export interface FilesExpiredWork {
  type: 'files-expired';
  tenantId: string;
  fileIds: string[];
  at: string;
}

/** Takes the `files-expired` messages of one tenant until `fileCount` file ids have arrived (or the time is up). */
export async function takeExpiredFiles(
  tenantId: string,
  fileCount: number,
  timeoutMs = 30_000,
): Promise<FilesExpiredWork[]> {
  const taken: FilesExpiredWork[] = [];
  const deadline = Date.now() + timeoutMs;
  let ids = 0;
  while (ids < fileCount && Date.now() < deadline) {
    const batch = await takeMessages(
      testSystem().outputs.CleanupQueueUrl!,
      (body) => {
        const work = body as Partial<FilesExpiredWork> | null;
        return work?.type === 'files-expired' && work.tenantId === tenantId
          ? (work as FilesExpiredWork)
          : undefined;
      },
      { count: 1, timeoutMs: Math.min(5_000, deadline - Date.now()) },
    );
    taken.push(...batch);
    ids += batch.reduce((sum, work) => sum + work.fileIds.length, 0);
  }
  return taken;
}

/** Runs the cleanup worker over messages in batches of ten, as the queue's trigger would; failed items listed. */
export async function runCleanupWorker(messages: unknown[]): Promise<string[]> {
  const failures: string[] = [];
  for (let start = 0; start < messages.length; start += 10) {
    const { batchItemFailures } = await invokeCleanupWorker(messages.slice(start, start + 10));
    failures.push(...batchItemFailures.map((failure) => failure.itemIdentifier));
  }
  return failures;
}
