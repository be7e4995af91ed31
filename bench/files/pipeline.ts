import type { LocalSystem, SystemStats, TriggerStats } from '@pixelvault/local-aws';
import { processImage } from '../../services/file-service/src/domain/process-image';
import { callApi } from '../../tests/helpers/identity';
import { putUpload, registerBatch, type FileView, type UploadInstructions } from '../../tests/helpers/files';
import type { BaselineRequest } from './baseline-child';
import { inChildProcess } from './child';
import { ownCpuSeconds, ownProcessGroup, processGroupCpuSeconds } from './cpu';
import type { Photo } from './photos';
import { inPool } from './pool';

/** What a browser with many photos does: presigned PUTs, this many at a time. */
export const UPLOAD_CONCURRENCY = 16;
/** POST /v1/files/batch takes at most this many items. */
export const REGISTER_BATCH = 100;
// Listing costs the file service some CPU too: often enough to time the end, rarely enough to stay negligible.
const POLL_MS = 1000;
const TIMEOUT_MS = 30 * 60_000;

// DynamoDB operations that write (and are billed as write requests).
const WRITE_OPERATIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];

const PROCESSOR = 'processUploads';

export function processorTrigger(stats: SystemStats): TriggerStats {
  const trigger = stats.sqsTriggers.find(({ functionName }) => functionName.endsWith(`-${PROCESSOR}`));
  if (!trigger) throw new Error(`no SQS trigger of ${PROCESSOR} in the system`);
  return trigger;
}

/** Write requests by operation, and the items they wrote, between two snapshots. */
function writesBetween(before: SystemStats, after: SystemStats) {
  if (!before.dynamodb || !after.dynamodb) throw new Error('start the system with countDynamoDbRequests');
  const [from, to] = [before.dynamodb, after.dynamodb];
  const requests: Record<string, number> = {};
  for (const operation of WRITE_OPERATIONS) {
    const count = (to.requests[operation] ?? 0) - (from.requests[operation] ?? 0);
    if (count !== 0) requests[operation] = count;
  }
  return { requests, itemWrites: to.itemWrites - from.itemWrites };
}

/**
 * When the processor is next invoked. Its trigger's own firstInvocationAt is taken already: S3 sends an
 * s3:TestEvent when the bucket's notifications are configured. The counts are in-process, so polling is cheap.
 */
function nextProcessorInvocation(system: LocalSystem) {
  const invocationsBefore = processorTrigger(system.stats()).invocations;
  let at: number | undefined;
  const timer = setInterval(() => {
    if (at === undefined && processorTrigger(system.stats()).invocations > invocationsBefore) at = Date.now();
  }, 5);
  timer.unref();
  return {
    at: () => {
      clearInterval(timer);
      if (at === undefined) throw new Error(`${PROCESSOR} was never invoked`);
      return at;
    },
  };
}

/** POST /v1/files/batch, REGISTER_BATCH photos at a time, one batch after another: every item must register. */
export async function registerAll(token: string, photos: readonly Photo[]): Promise<UploadInstructions[]> {
  const uploads: UploadInstructions[] = [];
  for (let start = 0; start < photos.length; start += REGISTER_BATCH) {
    const items = photos.slice(start, start + REGISTER_BATCH).map((photo) => ({
      name: photo.name,
      contentType: 'image/jpeg',
      size: photo.bytes.byteLength,
      sha256: photo.sha256,
    }));
    const response = await registerBatch(token, { items });
    if (response.status !== 201) throw new Error(`batch: ${response.status} ${await response.text()}`);
    const { items: results } = (await response.json()) as {
      items: Array<{ upload: UploadInstructions } | { error: unknown }>;
    };
    for (const result of results) {
      if (!('upload' in result)) throw new Error(`batch item refused: ${JSON.stringify(result.error)}`);
      uploads.push(result.upload);
    }
  }
  return uploads;
}

/** Every file of the session's owner (pages of 100). */
async function ownFiles(token: string): Promise<FileView[]> {
  const files: FileView[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await callApi('GET', `/v1/files?limit=100${query}`, { token });
    if (response.status !== 200) throw new Error(`list: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { items: FileView[]; nextCursor: string | null };
    files.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return files;
}

/** Every file of the session's owner once `count` of them are `ready` or `rejected`. */
export async function untilProcessed(token: string, count: number): Promise<FileView[]> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const files = await ownFiles(token);
    const done = files.filter(({ state }) => state === 'ready' || state === 'rejected');
    if (done.length === count) return files;
    if (Date.now() > deadline) throw new Error(`${done.length} of ${count} files processed in time`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** When the last of `files` became `ready`; every one must be. */
export function lastReady(files: readonly FileView[]): number {
  const notReady = files.filter(({ state }) => state !== 'ready');
  if (notReady.length > 0)
    throw new Error(`${notReady.length} files not ready: ${JSON.stringify(notReady[0])}`);
  return Math.max(...files.map(({ updatedAt }) => Date.parse(updatedAt)));
}

/**
 * The upload pipeline end to end, as a shop's editor drives it: register the photos in batches, PUT the originals to their
 * presigned URLs (UPLOAD_CONCURRENCY at a time), and wait until the processor (S3 notification -> SQS -> poller ->
 * processUploads under serverless-offline) has made every file `ready`. `token` must be a fresh session's, whose
 * owner has no other files.
 */
export async function runPipeline(system: LocalSystem, token: string, photos: readonly Photo[]) {
  // Nothing else in flight (the s3:TestEvent), so the counts' differences are this run's.
  await system.idle();
  const fileService = system.services.find(({ name }) => name === 'file-service')!;
  const cpuBefore = processGroupCpuSeconds(fileService.pid);
  const localGroup = ownProcessGroup();
  const localCpu = () => (localGroup === undefined ? undefined : processGroupCpuSeconds(localGroup));
  const localCpuBefore = localCpu();
  const before = system.stats();
  const processorStart = nextProcessorInvocation(system);
  const startedAt = Date.now();
  const uploads = await registerAll(token, photos);
  const registeredAt = Date.now();
  await inPool(uploads, UPLOAD_CONCURRENCY, async (upload, index) => {
    const response = await putUpload(upload, photos[index]!.bytes);
    if (response.status !== 200) throw new Error(`upload: ${response.status} ${await response.text()}`);
  });
  const uploadedAt = Date.now();
  const files = await untilProcessed(token, photos.length);
  const after = system.stats();
  const cpuAfter = processGroupCpuSeconds(fileService.pid);
  const localCpuAfter = localCpu();

  const lastReadyAt = lastReady(files);
  const processorStartedAt = processorStart.at();
  const [processorBefore, processor] = [processorTrigger(before), processorTrigger(after)];
  const invocations = processor.invocations - processorBefore.invocations;
  const records = processor.records - processorBefore.records;
  const writes = writesBetween(before, after);
  const count = photos.length;
  const seconds = (from: number, to: number) => (to - from) / 1000;
  return {
    files: count,
    meanPhotoBytes: Math.round(photos.reduce((sum, photo) => sum + photo.bytes.byteLength, 0) / count),
    registerSeconds: seconds(startedAt, registeredAt),
    uploadSeconds: seconds(registeredAt, uploadedAt),
    endToEndSeconds: seconds(startedAt, lastReadyAt),
    endToEndFilesPerSecond: count / seconds(startedAt, lastReadyAt),
    // The first invocation starts with a GetObject, then claims: within milliseconds of the first claim.
    processorSeconds: seconds(processorStartedAt, lastReadyAt),
    processorFilesPerSecond: count / seconds(processorStartedAt, lastReadyAt),
    // The file service's own CPU (serverless-offline and its workers): mostly the processor, plus the batch
    // registrations and the listing polls of this run.
    fileServiceCpuSecondsPerFile:
      cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / count,
    // This process and its children: the emulated S3 (fidelity layer checking every upload's SHA-256, fauxqs
    // storing it), SQS, the pollers, DynamoDB Local's JVM, plus the uploading client. In AWS that is the
    // services' and the browsers' work; here it shares the processor's two cores.
    localAwsAndClientCpuSecondsPerFile:
      localCpuBefore === undefined || localCpuAfter === undefined
        ? undefined
        : (localCpuAfter - localCpuBefore) / count,
    processorInvocations: invocations,
    processorRecords: records,
    processorFailedRecords: processor.failedRecords - processorBefore.failedRecords,
    processorPeakConcurrency: processor.peakConcurrency,
    invocationsPerFile: invocations / count,
    dynamodbWriteRequests: writes.requests,
    dynamodbWriteRequestsPerFile:
      Object.values(writes.requests).reduce((sum, value) => sum + value, 0) / count,
    dynamodbItemWritesPerFile: writes.itemWrites / count,
  };
}

/**
 * The processor's image work alone: the file service's processImage on the same photos, in this process, after
 * one untimed round (sharp's and libvips' first calls) as the processor's warm invocations had.
 */
export async function processInProcess(photos: readonly Photo[], concurrency: number) {
  const render = async (photo: Photo) => {
    const result = await processImage(photo.bytes, { declaredContentType: 'image/jpeg' });
    if (!result.ok) throw new Error(`${photo.name}: ${result.reason} ${result.detail}`);
  };
  await inPool(photos.slice(0, concurrency), concurrency, render);
  const [startedAt, cpuBefore] = [performance.now(), ownCpuSeconds()];
  await inPool(photos, concurrency, render);
  const seconds = (performance.now() - startedAt) / 1000;
  return {
    files: photos.length,
    concurrency,
    seconds,
    filesPerSecond: photos.length / seconds,
    cpuSecondsPerFile: (ownCpuSeconds() - cpuBefore) / photos.length,
  };
}

/** processInProcess on the first `count` cached bench photos in a process of its own, on `cores` when given. */
export const processInChild = (count: number, concurrency: number, cores?: string) =>
  inChildProcess<BaselineRequest, Awaited<ReturnType<typeof processInProcess>>>(
    'baseline-child.ts',
    { count, concurrency },
    cores,
  );
