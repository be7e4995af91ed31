import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeSystem, startSystem } from '@pixelvault/local-aws';
import { parse } from 'yaml';
import { processInProcess, REGISTER_BATCH, runPipeline, UPLOAD_CONCURRENCY } from '../files/pipeline';
import { benchPhotos, PHOTO_HEIGHT, PHOTO_WIDTH } from '../files/photos';
import { presignThroughput } from '../files/presign';
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

/** How many originals the processor renders at once for `count` uploads, from its SQS trigger's settings. */
function processorConcurrency(count: number): number {
  const config = parse(
    readFileSync(path.join(repoRoot, 'services', 'file-service', 'serverless.yml'), 'utf8'),
  ) as {
    functions: {
      processUploads: { events: Array<{ sqs?: { batchSize: number; maximumConcurrency: number } }> };
    };
  };
  const trigger = config.functions.processUploads.events.find((event) => event.sqs)!.sqs!;
  const invocations = Math.min(trigger.maximumConcurrency, Math.ceil(count / trigger.batchSize));
  return Math.min(count, invocations * ORIGINALS_PER_INVOCATION);
}

/** Two baseline runs bracketing the pipeline, as one: load that comes and goes on the machine hits both sides. */
function bracketed(runs: Array<Awaited<ReturnType<typeof processInProcess>>>) {
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
 * The file service (issue 4): the upload pipeline end to end against the embedded local AWS stack, the processor
 * against the same image work done in-process, Lambda invocations and DynamoDB writes per file, the register API,
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

    const concurrency = processorConcurrency(count);
    console.log(`  baseline before the pipeline: processImage in-process, ${concurrency} at a time…`);
    const baselineBefore = await processInProcess(photos, concurrency);

    console.log(`  pipeline: ${count} photos…`);
    const pipeline = await runPipeline(system, (await guestSession(tenant)).accessToken, photos);

    console.log('  baseline after the pipeline…');
    const baseline = bracketed([baselineBefore, await processInProcess(photos, concurrency)]);

    const processorRatio = round(pipeline.processorFilesPerSecond / baseline.filesPerSecond, 3);
    const cpuPerFile = pipeline.fileServiceCpuSecondsPerFile;
    const cpuRatio = cpuPerFile === undefined ? undefined : round(baseline.cpuSecondsPerFile / cpuPerFile, 3);
    const mb = round(pipeline.meanPhotoBytes / 1e6, 1);
    const writes = Object.entries(pipeline.dynamodbWriteRequests)
      .map(([operation, requests]) => `${operation} ${round(requests / count)}`)
      .join(', ');
    return {
      photos: { count, width: PHOTO_WIDTH, height: PHOTO_HEIGHT, meanBytes: pipeline.meanPhotoBytes },
      uploadConcurrency: UPLOAD_CONCURRENCY,
      pipeline,
      baseline,
      processorOverBaselineRatio: processorRatio,
      baselineOverProcessorCpuRatio: cpuRatio,
      registerApi: api,
      presign,
      rows: [
        [
          `Upload pipeline end to end: ${count} 12 MP JPEGs (${mb} MB mean) registered in batches of ${REGISTER_BATCH}, PUT ${UPLOAD_CONCURRENCY} at a time, processed until ready`,
          `${round(pipeline.endToEndFilesPerSecond)} files/s (${round(pipeline.endToEndSeconds, 1)} s)`,
        ],
        [
          `Processor throughput, first invocation to last ready, vs processImage in-process at the same concurrency (${concurrency}; runs before and after the pipeline) (target ratio >= 0.85)`,
          `${round(pipeline.processorFilesPerSecond)} vs ${round(baseline.filesPerSecond)} files/s: ratio ${processorRatio}`,
        ],
        ...(cpuPerFile === undefined
          ? []
          : [
              [
                'CPU per file: file service (serverless-offline, all workers) vs processImage in-process; insensitive to machine load',
                `${round(cpuPerFile)} vs ${round(baseline.cpuSecondsPerFile)} CPU s: ratio ${cpuRatio} (DynamoDB Local, emulated S3/SQS and the upload client on the same cores: ${round(pipeline.localAwsAndClientCpuSecondsPerFile ?? NaN)} CPU s)`,
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
