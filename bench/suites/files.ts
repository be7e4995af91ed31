import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeSystem, startSystem, type LocalSystem } from '@pixelvault/local-aws';
import { coreSplit, ownProcessGroup, pinProcessGroup, type CoreSplit } from '../files/cpu';
import { parse } from 'yaml';
import { processInChild, REGISTER_BATCH, runPipeline, UPLOAD_CONCURRENCY } from '../files/pipeline';
import { benchPhotos, PHOTO_HEIGHT, PHOTO_WIDTH } from '../files/photos';
import { presignThroughput } from '../files/presign';
import { runHandlerInProcess, runProcessorOnly } from '../files/processor';
import { API_CONCURRENCY, registerApi } from '../files/register-api';
import { repoRoot } from '../results-file';
import { createTestTenant, guestSession } from '../../tests/helpers/identity';

const DEFAULT_FILES = 200;
// processUploads renders this many originals at a time per invocation (p-limit in its handler).
const ORIGINALS_PER_INVOCATION = 2;

function fileCount(): number {
  const count = Number(process.env.BENCH_FILES ?? DEFAULT_FILES);
  if (!Number.isInteger(count) || count < 1) throw new Error(`BENCH_FILES must be a positive integer`);
  return count;
}

const round = (value: number, digits = 2) => +value.toFixed(digits);

/**
 * How the processor's trigger spreads `count` uploads: invocations at once (ten records each, up to its
 * maximumConcurrency) and the originals they render at once.
 */
function processorConcurrency(count: number) {
  const config = parse(
    readFileSync(path.join(repoRoot, 'services', 'file-service', 'serverless.yml'), 'utf8'),
  ) as {
    functions: {
      processUploads: { events: Array<{ sqs?: { batchSize: number; maximumConcurrency: number } }> };
    };
  };
  const trigger = config.functions.processUploads.events.find((event) => event.sqs)!.sqs!;
  const invocations = Math.min(trigger.maximumConcurrency, Math.ceil(count / trigger.batchSize));
  return { invocations, originals: Math.min(count, invocations * ORIGINALS_PER_INVOCATION) };
}

/** Two baseline runs bracketing the pipeline, as one: load that comes and goes on the machine hits both sides. */
function bracketed(runs: Array<Awaited<ReturnType<typeof processInChild>>>) {
  const files = runs.reduce((sum, run) => sum + run.files, 0);
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  const cpuSeconds = runs.reduce((sum, run) => sum + run.cpuSecondsPerFile * run.files, 0);
  return {
    concurrency: runs[0]!.concurrency,
    runsFilesPerSecond: runs.map((run) => round(run.filesPerSecond)),
    filesPerSecond: files / seconds,
    cpuSecondsPerFile: cpuSeconds / files,
  };
}

/**
 * While the processor is compared with its baseline: the file service (the processor's Lambda) on the measured
 * cores, where the baseline runs too, and everything else (this process with the emulated S3 and SQS, DynamoDB
 * Local's JVM, the other services) on the others. In AWS, S3, SQS and DynamoDB do not run on the Lambda's vCPU.
 * Returns what undoes it.
 */
function pinForComparison(system: LocalSystem, split: CoreSplit): () => void {
  const localAws = [
    ownProcessGroup()!,
    ...system.services.filter(({ name }) => name !== 'file-service').map(({ pid }) => pid),
  ];
  const fileService = system.services.find(({ name }) => name === 'file-service')!.pid;
  for (const group of localAws) pinProcessGroup(group, split.localAws);
  pinProcessGroup(fileService, split.measured);
  return () => {
    for (const group of [...localAws, fileService]) pinProcessGroup(group, split.all);
  };
}

/**
 * The file service (issue 4): the processor alone (under serverless-offline, and as a bare handler) against the
 * same image work done in-process, the upload pipeline end to end against the embedded local AWS stack, Lambda invocations and DynamoDB writes per file, the register API,
 * and presigning on one core. Each figure has its baseline measured in the same run.
 */
export async function files() {
  const count = fileCount();
  const photos = await benchPhotos(count, (line) => console.log(`  ${line}`));
  console.log('  presigning on one core…');
  const presign = await presignThroughput();

  console.log('  starting the local system…');
  const keysDir = await mkdtemp(path.join(os.tmpdir(), 'pixelvault-bench-keys-'));
  const system = await startSystem({
    repoRoot,
    stage: 'bench',
    buildDir: '.esbuild-bench',
    countDynamoDbRequests: true,
    params: { signingKeysDir: keysDir, partnerApiKey: `bench-partner-key-${randomBytes(8).toString('hex')}` },
    onPollerError: (error, functionName) => console.error(`  [poller ${functionName}]`, error),
  });
  // serverless-offline runs in its own process groups, which Ctrl-C does not reach: stop them ourselves.
  const interrupted = (signal: NodeJS.Signals) => {
    console.log(`\n${signal}: stopping the local system…`);
    void system.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    // The tests' helpers (sessions, registration, uploads) find the system through this variable.
    process.env.PIXELVAULT_SYSTEM = JSON.stringify(describeSystem(system));
    const tenant = await createTestTenant();

    console.log(`  register API, ${API_CONCURRENCY} at a time…`);
    const api = await registerApi((await guestSession(tenant)).accessToken);

    const { invocations, originals: concurrency } = processorConcurrency(count);
    const split = coreSplit();
    const where = split ? ` on core(s) ${split.measured}` : '';
    console.log(
      `  baseline before the processor runs: processImage in a process of its own${where}, ${concurrency} at a time…`,
    );
    const baselineBefore = await processInChild(count, concurrency, split?.measured);

    const unpin = split ? pinForComparison(system, split) : () => undefined;
    let processorOnly: Awaited<ReturnType<typeof runProcessorOnly>>;
    let handler: Awaited<ReturnType<typeof runHandlerInProcess>>;
    try {
      console.log(
        `  processor alone${where}: ${invocations} containers warmed, then ${count} stored originals, their notifications sent at once…`,
      );
      processorOnly = await runProcessorOnly(system, (await guestSession(tenant)).accessToken, photos, {
        token: (await guestSession(tenant)).accessToken,
        photos: photos.slice(0, invocations),
      });

      console.log(`  processUploads handler in a plain Node process${where}, ${invocations} containers…`);
      handler = await runHandlerInProcess(
        system,
        (await guestSession(tenant)).accessToken,
        photos,
        invocations,
        concurrency,
        split?.measured,
      );
    } finally {
      unpin();
    }

    console.log('  baseline after the processor runs…');
    const baseline = bracketed([baselineBefore, await processInChild(count, concurrency, split?.measured)]);

    console.log(`  pipeline: ${count} photos…`);
    const pipeline = await runPipeline(system, (await guestSession(tenant)).accessToken, photos);

    const processorRatio = round(processorOnly.filesPerSecond / baseline.filesPerSecond, 3);
    const handlerRatio = round(handler.filesPerSecond / baseline.filesPerSecond, 3);
    const handlerCpuRatio = round(baseline.cpuSecondsPerFile / handler.cpuSecondsPerFile, 3);
    const cpuPerFile = processorOnly.fileServiceCpuSecondsPerFile;
    const cpuRatio = cpuPerFile === undefined ? undefined : round(baseline.cpuSecondsPerFile / cpuPerFile, 3);
    const mb = round(pipeline.meanPhotoBytes / 1e6, 1);
    const onCores = split
      ? `, both on core(s) ${split.measured} and the emulated AWS on ${split.localAws}`
      : ', sharing every core with the emulated AWS';
    const writes = Object.entries(pipeline.dynamodbWriteRequests)
      .map(([operation, requests]) => `${operation} ${round(requests / count)}`)
      .join(', ');
    return {
      photos: { count, width: PHOTO_WIDTH, height: PHOTO_HEIGHT, meanBytes: pipeline.meanPhotoBytes },
      cores: split ?? null,
      uploadConcurrency: UPLOAD_CONCURRENCY,
      pipeline,
      processorOnly,
      handlerInProcess: handler,
      baseline,
      processorOverBaselineRatio: processorRatio,
      baselineOverProcessorCpuRatio: cpuRatio,
      handlerOverBaselineRatio: handlerRatio,
      baselineOverHandlerCpuRatio: handlerCpuRatio,
      registerApi: api,
      presign,
      rows: [
        [
          `Upload pipeline end to end: ${count} 12 MP JPEGs (${mb} MB mean) registered in batches of ${REGISTER_BATCH}, PUT ${UPLOAD_CONCURRENCY} at a time, processed until ready`,
          `${round(pipeline.endToEndFilesPerSecond)} files/s (${round(pipeline.endToEndSeconds, 1)} s; processor while uploads run: ${round(pipeline.processorFilesPerSecond)} files/s)`,
        ],
        [
          `Processor alone, ${invocations} warm containers (originals stored, all notifications sent at once; first claim to last ready) vs processImage in a process of its own at the same concurrency (${concurrency}; runs before and after)${onCores} (target ratio >= 0.85)`,
          `${round(processorOnly.filesPerSecond)} vs ${round(baseline.filesPerSecond)} files/s: ratio ${processorRatio}`,
        ],
        [
          `processUploads handler bundle in a plain Node process (${invocations} module instances, same events and local stack, no Lambda emulation) vs the same baseline${onCores}: files/s; CPU per file`,
          `${round(handler.filesPerSecond)} vs ${round(baseline.filesPerSecond)} files/s: ratio ${handlerRatio}; ${round(handler.cpuSecondsPerFile, 3)} vs ${round(baseline.cpuSecondsPerFile, 3)} CPU s: ratio ${handlerCpuRatio}`,
        ],
        ...(cpuPerFile === undefined
          ? []
          : [
              [
                'CPU per file, processor alone: file service (serverless-offline, all workers) vs the baseline; insensitive to machine load',
                `${round(cpuPerFile, 3)} vs ${round(baseline.cpuSecondsPerFile, 3)} CPU s: ratio ${cpuRatio}`,
              ],
            ]),
        [
          'Processor Lambda invocations per file (BatchSize 10; target <= 0.12, S3 event per file: 1.0)',
          `${round(pipeline.invocationsPerFile, 3)} (${pipeline.processorInvocations} invocations, ${pipeline.processorRecords} records, at most ${pipeline.processorPeakConcurrency} at once)`,
        ],
        [
          'DynamoDB write requests per file, register to ready (target <= 3); items written per file (billed write units)',
          `${round(pipeline.dynamodbWriteRequestsPerFile)} (${writes}); ${round(pipeline.dynamodbItemWritesPerFile)} items`,
        ],
        [
          `POST /v1/files through the local origin, ${API_CONCURRENCY} concurrent (GET /v1/files/health in the same run)`,
          `${api.register.requestsPerSecond} req/s, p50 ${api.register.p50Ms} ms, p99 ${api.register.p99Ms} ms (health: ${api.health.requestsPerSecond} req/s, p50 ${api.health.p50Ms} ms)`,
        ],
        [
          'Presigned upload URLs per second on one core, the service bundle vs raw SigV4 presign (target >= 5,000)',
          `${presign.servicePerSecond} vs ${presign.rawSigV4PerSecond}: ratio ${presign.ratio}`,
        ],
      ],
    };
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    await system.stop();
    await rm(keysDir, { recursive: true, force: true });
  }
}
