import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
// Deep import, as local-aws's seed does: core's index also loads Middy, which only ships ESM entries.
import { createDb } from '@pixelvault/core/src/entities';
import { FILE_OBJECTS, fileObjectKey } from '@pixelvault/core/src/entities/file';
import { startSystem } from '@pixelvault/local-aws';
import { repoRoot } from '../results-file';
import { inPool } from '../files/pool';

const FILES = 10_000;
const HOUR = 3600 * 1000;

interface Capacity {
  read: number;
  write: number;
  requests: number;
}

/** Runs `work` over `items`, `width` at a time. */
/**
 * Cleanup throughput: 10,000 expired guest files (ready), each with its three objects, removed by one run of
 * `expireFiles` and the cleanup queue's worker (polled as in AWS). Files deleted per second from the job's start
 * until the last item is gone; read capacity per deleted file from the job's and the worker's ConsumedCapacity;
 * DynamoDB requests by operation (no Scan).
 */
export async function cleanup() {
  const workerCapacity: Capacity[] = [];
  const system = await startSystem({
    repoRoot,
    stage: 'bench',
    buildDir: '.esbuild-bench',
    countDynamoDbRequests: true,
    params: { signingKeysDir: mkdtempSync(path.join(tmpdir(), 'pixelvault-bench-keys-')) },
    onOutput: (service, line) => {
      if (service !== 'scheduler-service' || !line.includes('"cleanup batch"')) return;
      try {
        const entry = JSON.parse(line.slice(line.indexOf('{'))) as { capacity?: Capacity };
        if (entry.capacity) workerCapacity.push(entry.capacity);
      } catch {
        // a log line split across output chunks
      }
    },
  });
  try {
    const table = system.outputs.TableName!;
    const bucket = system.outputs.BucketName!;
    const db = createDb({ client: system.aws.clients.dynamodb, table });
    const tenantId = `bench-${randomBytes(3).toString('hex')}`;
    const owner = `session#${randomBytes(16).toString('base64url')}`;
    const expiresAt = new Date(Date.UTC(2040, 5, 1, 10, 17));
    const fileIds = Array.from({ length: FILES }, () => randomBytes(16).toString('base64url'));
    await db.entities.file
      .put(
        fileIds.map((fileId) => ({
          tenantId,
          owner,
          fileId,
          name: 'photo.jpg',
          contentType: 'image/jpeg',
          size: 64,
          sha256: randomBytes(32).toString('base64'),
          // Ready: the processor, notified of each stored original, skips them (a pending one it would process).
          state: 'ready' as const,
          expiresAt: expiresAt.toISOString(),
        })),
      )
      .go({ concurrency: 4 });
    const keys = fileIds.flatMap((fileId) =>
      FILE_OBJECTS.map((object) => fileObjectKey({ tenantId, owner, fileId }, object)),
    );
    const body = randomBytes(64);
    await inPool(keys, 32, async (key) => {
      await system.aws.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    });
    // The post-upload notifications of the originals are handled (skipped) before the clock starts.
    await system.idle();
    const before = system.stats().dynamodb!.requests;
    const triggerBefore = system.stats().sqsTriggers.find((stats) => stats.functionName.endsWith('-cleanUp'));

    const began = performance.now();
    const report = (await system.runJob('expireFiles', new Date(expiresAt.getTime() + HOUR))) as {
      found: number;
      handled: number;
      pages: number;
      partitions: number;
      capacity: Capacity;
    };
    const jobMs = performance.now() - began;
    let left = FILES;
    while (left > 0) {
      await system.idle();
      const { data } = await db.entities.file.query.byOwner({ tenantId, owner }).go({ pages: 'all' });
      left = data.length;
      if (left > 0 && performance.now() - began > 15 * 60_000)
        throw new Error(`${left} files left after 15 min`);
    }
    const totalMs = performance.now() - began;

    const after = system.stats().dynamodb!.requests;
    const requests = Object.fromEntries(
      Object.entries(after)
        .map(([operation, count]) => [operation, count - (before[operation] ?? 0)] as const)
        .filter(([, count]) => count > 0),
    );
    const trigger = system.stats().sqsTriggers.find((stats) => stats.functionName.endsWith('-cleanUp'));
    const workerRead = workerCapacity.reduce((sum, capacity) => sum + capacity.read, 0);
    const workerWrite = workerCapacity.reduce((sum, capacity) => sum + capacity.write, 0);
    const readPerFile = (report.capacity.read + workerRead) / FILES;
    const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
    const perSecond = FILES / (totalMs / 1000);
    return {
      files: FILES,
      objects: keys.length,
      job: { ms: Math.round(jobMs), ...report },
      totalMs: Math.round(totalMs),
      filesDeletedPerSecond: round(perSecond),
      capacity: {
        jobRead: round(report.capacity.read),
        workerRead: round(workerRead),
        workerWrite: round(workerWrite),
        readPerDeletedFile: round(readPerFile, 3),
        workerInvocationsLogged: workerCapacity.length,
      },
      dynamoDbRequests: requests,
      cleanupTrigger: {
        invocations: trigger!.invocations - triggerBefore!.invocations,
        records: trigger!.records - triggerBefore!.records,
        failedRecords: trigger!.failedRecords - triggerBefore!.failedRecords,
        peakConcurrency: trigger!.peakConcurrency,
      },
      rows: [
        [
          `Cleanup: ${FILES} expired guest files (3 objects each), one expireFiles run + cleanUp worker, files deleted per second`,
          `${round(perSecond)} files/s (${round(totalMs / 1000)} s; job ${round(jobMs / 1000)} s, ${report.pages} pages)`,
        ],
        [
          'Cleanup: DynamoDB read units per deleted file (job Query + worker; no Scan)',
          `${round(readPerFile, 3)} RCU (${Object.keys(requests).includes('Scan') ? 'Scan seen!' : 'no Scan'})`,
        ],
      ],
    };
  } finally {
    await system.stop();
  }
}
