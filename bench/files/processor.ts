import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { LocalSystem } from '@pixelvault/local-aws';
import { chunksOf } from '@pixelvault/core/src/chunks';
import type { SQSEvent } from 'aws-lambda';
import { build } from 'esbuild';
import {
  invokeProcessor,
  objectCreatedMessage,
  objectKeyOf,
  postUploadEvent,
  putObjectUnannounced,
  sendMessages,
} from '../../tests/helpers/files';
import { serviceEsbuildSettings } from '../esbuild-settings';
import { repoRoot } from '../results-file';
import { inChildProcess } from './child';
import { processGroupCpuSeconds } from './cpu';
import type { HandlerRun, HandlerRunRequest } from './handler-child';
import type { Photo } from './photos';
import { lastReady, processorTrigger, registerAll, untilProcessed } from './pipeline';
import { inPool } from './pool';

// SendMessageBatch takes at most ten, and the processor's trigger takes ten records per invocation.
const BATCH = 10;
// Storing the originals is set-up, not measured: a few at a time keep fauxqs busy without swamping it.
const STORE_CONCURRENCY = 4;
// Distinct photos the handler's process renders (over and over, `concurrency` at a time) before it is timed.
const WARM_UP_PHOTOS = 4;

/**
 * Registers the photos (POST /v1/files/batch, so their File items exist) and stores their originals straight in
 * the emulated S3, behind the fidelity layer, so no notification goes out yet: the ObjectCreated messages the
 * processor would get, to deliver when the measurement starts.
 */
async function stageUnannounced(token: string, photos: readonly Photo[]): Promise<string[]> {
  const uploads = await registerAll(token, photos);
  return inPool(uploads, STORE_CONCURRENCY, async (upload, index) => {
    const key = objectKeyOf(upload.url);
    const photo = photos[index]!;
    await putObjectUnannounced(key, photo.bytes, 'image/jpeg', photo.sha256);
    return objectCreatedMessage(key, photo.bytes.byteLength);
  });
}

/**
 * When the next claim reaches DynamoDB: claims are the processor's first writes (UpdateItem), and nothing else
 * writes while a phase runs. The counts are in-process, so polling them is cheap.
 */
function nextClaim(system: LocalSystem) {
  const updates = () => system.stats().dynamodb?.requests.UpdateItem ?? 0;
  const before = updates();
  let at: number | undefined;
  const timer = setInterval(() => {
    if (at === undefined && updates() > before) at = Date.now();
  }, 5);
  timer.unref();
  return {
    at: () => {
      clearInterval(timer);
      if (at === undefined) throw new Error('no file was claimed');
      return at;
    },
  };
}

/**
 * Loads `containers` module instances of processUploads in serverless-offline and runs each once: one record
 * each (a stored original of `photos`), all at once, through serverless-offline's Lambda API as the poller
 * invokes it. The timed wave that follows within serverless-offline's idle timeout (60 s) finds them warm, as a
 * steady stream of uploads does in AWS; their cold starts (bundle, SDK, sharp) are not part of its figure.
 */
async function warmContainers(token: string, photos: readonly Photo[]): Promise<void> {
  const bodies = await stageUnannounced(token, photos);
  const responses = await Promise.all(bodies.map((body) => invokeProcessor([body])));
  const failures = responses.flatMap((response) => response.batchItemFailures);
  if (failures.length > 0) throw new Error(`warm-up: ${failures.length} records failed`);
}

/**
 * The processor alone, as deployed locally (post-upload queue -> poller -> processUploads under
 * serverless-offline), with warm containers (one per invocation the trigger runs at once, warmed with
 * `warmUp.photos` of another session): the originals are stored beforehand without notifications, then all
 * their ObjectCreated messages are sent at once, and the time runs from the first claim to the last `ready`.
 * Nothing else (client hashing, fidelity checks of uploads, fauxqs storing originals, listing) competes for the
 * cores meanwhile.
 */
export async function runProcessorOnly(
  system: LocalSystem,
  token: string,
  photos: readonly Photo[],
  warmUp: { token: string; photos: readonly Photo[] },
) {
  const bodies = await stageUnannounced(token, photos);
  await warmContainers(warmUp.token, warmUp.photos);
  await system.idle();
  const fileService = system.services.find(({ name }) => name === 'file-service')!;
  const cpuBefore = processGroupCpuSeconds(fileService.pid);
  const before = processorTrigger(system.stats());
  const claim = nextClaim(system);
  await Promise.all(
    chunksOf(bodies, BATCH).map((batch) => sendMessages(system.outputs.PostUploadQueueUrl!, batch)),
  );
  // Every record processed and deleted (the pollers' own counts and the queues), without listing the files:
  // the API's work (the file service's authorizer and list handler) stays off the cores while it is timed.
  await system.idle();
  const cpuAfter = processGroupCpuSeconds(fileService.pid);
  const after = processorTrigger(system.stats());
  const files = await untilProcessed(token, photos.length);
  const seconds = (lastReady(files) - claim.at()) / 1000;
  return {
    files: photos.length,
    warmContainers: warmUp.photos.length,
    seconds,
    filesPerSecond: photos.length / seconds,
    // serverless-offline and its invocation workers.
    fileServiceCpuSecondsPerFile:
      cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / photos.length,
    invocations: after.invocations - before.invocations,
    failedRecords: after.failedRecords - before.failedRecords,
  };
}

/**
 * processUploads as the Lambda bundle has it (the services' esbuild settings, sharp and heic-decode left out as
 * the sharp layer provides them), written inside the file service so those resolve from its node_modules.
 */
async function bundledHandler(): Promise<string> {
  const outfile = path.join(
    repoRoot,
    'services',
    'file-service',
    '.esbuild-bench-handler',
    'process-uploads.js',
  );
  await build({
    ...serviceEsbuildSettings(),
    entryPoints: [path.join(repoRoot, 'services', 'file-service', 'src', 'handlers', 'process-uploads.ts')],
    external: ['sharp', 'heic-decode'],
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

/**
 * The processor's code without the Lambda emulation: the real processUploads handler bundle, loaded once per
 * emulated container (`containers` module instances, so each has its own two-at-a-time limit and SDK clients,
 * as separate Lambdas would) in a plain Node process, invoked with the same SQS events (ten records each) against
 * the same local stack, with the Lambda's environment. A separate process (on `cores` when given), so its CPU
 * time is the handler's alone, not the emulated S3 and SQS this process serves.
 */
export async function runHandlerInProcess(
  system: LocalSystem,
  token: string,
  photos: readonly Photo[],
  containers: number,
  concurrency: number,
  cores?: string,
) {
  const bodies = await stageUnannounced(token, photos);
  const bundle = await bundledHandler();
  try {
    await system.idle();
    const events: SQSEvent[] = chunksOf(bodies, BATCH).map((batch) => postUploadEvent(batch));
    const claim = nextClaim(system);
    const run = await inChildProcess<HandlerRunRequest, HandlerRun>(
      'handler-child.ts',
      {
        bundle,
        containers,
        events,
        warmUp: photos.slice(0, WARM_UP_PHOTOS).map((photo) => photo.bytes),
        warmUpConcurrency: concurrency,
        env: {
          ...system.aws.lambdaEnvironment(),
          TABLE_NAME: system.outputs.TableName!,
          BUCKET_NAME: system.outputs.BucketName!,
          EVENTS_QUEUE_URL: system.outputs.CleanupQueueUrl!,
          POWERTOOLS_SERVICE_NAME: 'pixelvault-file-service',
        },
      },
      cores,
    );
    if (run.failedRecords > 0) throw new Error(`${run.failedRecords} records failed in the handler run`);
    const files = await untilProcessed(token, photos.length);
    const seconds = (lastReady(files) - claim.at()) / 1000;
    return {
      files: photos.length,
      containers,
      seconds,
      filesPerSecond: photos.length / seconds,
      cpuSecondsPerFile: run.cpuSeconds / photos.length,
    };
  } finally {
    await rm(path.dirname(bundle), { recursive: true, force: true });
  }
}
