/**
 * A plain Node process standing in for `containers` warm Lambdas of processUploads (processor.ts forks it): it
 * loads the handler bundle once per container, warms sharp as the baseline does, then invokes the containers
 * with the SQS events (one container runs its events one after another) and answers its own CPU time.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSHandler } from 'aws-lambda';
import { processImage } from '../../services/file-service/src/domain/process-image';
import { answerParent } from './child';
import { inPool } from './pool';

export interface HandlerRunRequest {
  bundle: string;
  containers: number;
  events: SQSEvent[];
  env: Record<string, string>;
  warmUp: Uint8Array[];
  warmUpConcurrency: number;
}

export interface HandlerRun {
  seconds: number;
  cpuSeconds: number;
  failedRecords: number;
}

const context = (name: string) =>
  ({
    functionName: name,
    awsRequestId: name,
    getRemainingTimeInMillis: () => 60_000,
  }) as unknown as Context;

/** A fresh module instance of the bundle: what a new Lambda container loads. */
function loadContainer(bundle: string): SQSHandler {
  delete require.cache[require.resolve(bundle)];
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle built at run time
  return (require(bundle) as { handler: SQSHandler }).handler;
}

async function run(request: HandlerRunRequest): Promise<HandlerRun> {
  Object.assign(process.env, request.env);
  const handlers = Array.from({ length: request.containers }, () => loadContainer(request.bundle));
  const warmUps = Array.from(
    { length: request.warmUpConcurrency },
    (_, index) => request.warmUp[index % request.warmUp.length]!,
  );
  await inPool(warmUps, request.warmUpConcurrency, async (bytes) => {
    const result = await processImage(Buffer.from(bytes), { declaredContentType: 'image/jpeg' });
    if (!result.ok) throw new Error(`warm-up: ${result.reason}`);
  });
  const began = performance.now();
  const cpuBefore = process.cpuUsage();
  let failedRecords = 0;
  await Promise.all(
    handlers.map(async (handler, container) => {
      for (let index = container; index < request.events.length; index += handlers.length) {
        const response = (await handler(
          request.events[index]!,
          context(`container-${container}`),
          () => undefined,
        )) as SQSBatchResponse;
        failedRecords += response.batchItemFailures.length;
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return {
    seconds: (performance.now() - began) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    failedRecords,
  };
}

answerParent(run);
