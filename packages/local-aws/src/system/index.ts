import path from 'node:path';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { allStarted, Stoppers } from '../all-started';
import { LOCAL_REGION } from '../constants';
import { findJob } from '../dev-state';
import { LocalAwsError } from '../errors';
import type { DynamoDbTraffic } from '../dynamodb-requests';
import { startLocalAws, type LocalAws, type LocalAwsOptions } from '../stack';
import { loadSharedResourcesTemplate, provisionFromTemplate, serviceParams } from '../provision';
import { startSqsPoller, type Poller, type PollerStats } from '../pollers';
import { startGateway, type BasePathMapping } from './gateway';
import { loadGatewayResponses } from './gateway-responses';
import { startOfflineService, type OfflineService } from './offline';
import { resolveServiceConfig, scheduleEvents, sqsEvents, type ScheduleEventConfig } from './service-config';

/** Which base paths of the one local origin each function service answers. */
export const FUNCTION_SERVICES: ReadonlyArray<{ name: string; basePaths: readonly string[] }> = [
  { name: 'auth-service', basePaths: ['/v1/auth'] },
  { name: 'file-service', basePaths: ['/v1/files'] },
  { name: 'project-service', basePaths: ['/v1/projects', '/v1/orders', '/v1/openapi.json'] },
  { name: 'scheduler-service', basePaths: ['/v1/scheduler'] },
];

export interface SystemOptions extends LocalAwsOptions {
  repoRoot: string;
  stage?: string;
  /** Port of the one origin; 0 picks a free one. */
  gatewayPort?: number;
  /** Params every service gets on top of compose's, e.g. where local signing keys live. */
  params?: Record<string, string>;
  /** serverless-esbuild's work folder in each service; distinct ones let several systems run side by side. */
  buildDir?: string;
  /** How soon a failed SQS record is retried locally (AWS waits for the visibility timeout). */
  retryDelaySeconds?: number;
  /**
   * Functions (by key, e.g. `cleanUp`) whose SQS triggers are not polled: their queues keep the messages for
   * whoever reads them (tests that take a queue's messages, then invoke the function with them themselves).
   */
  unpolledFunctions?: readonly string[];
  onOutput?: (service: string, line: string) => void;
  onPollerError?: (error: unknown, functionName: string) => void;
}

export interface ScheduledJob extends ScheduleEventConfig {
  service: string;
}

/** One SQS trigger's counts: invocations of its function and the records they carried. */
export interface TriggerStats extends PollerStats {
  functionName: string;
  queueArn: string;
}

/** Where the local origin answers `SystemStats` (GET, JSON): the counts for tools outside this process. */
export const STATS_PATH = '/_local/stats';

export interface SystemStats {
  sqsTriggers: TriggerStats[];
  /** Requests by operation and item writes, when the system was started with `countDynamoDbRequests`. */
  dynamodb?: DynamoDbTraffic;
}

export interface LocalSystem {
  url: string;
  stage: string;
  /** The params every service got on top of compose's (API origin, signing keys folder, partner API key). */
  params: Record<string, string>;
  aws: LocalAws;
  outputs: Record<string, string>;
  services: OfflineService[];
  jobs: ScheduledJob[];
  /** Runs a scheduled function once, with `now` as the event's time (the jobs' clock). */
  runJob(name: string, now?: Date): Promise<unknown>;
  /** Resolves when every SQS poller has drained its queue. */
  idle(): Promise<void>;
  /** Counts since start: per SQS trigger, and DynamoDB requests if counted. */
  stats(): SystemStats;
  stop(): Promise<void>;
}

/** The whole backend on this machine: embedded AWS, provisioned from CloudFormation, every API behind one origin. */
export async function startSystem(options: SystemOptions): Promise<LocalSystem> {
  const stage = options.stage ?? 'dev';
  const region = LOCAL_REGION;
  const stoppers = new Stoppers();
  const stop = () => stoppers.stopAll();
  try {
    // The origin's port is taken first: a busy port fails fast, and services learn the JWKS URL behind it.
    const gateway = stoppers.add(
      await startGateway(options.gatewayPort ?? 0, loadGatewayResponses(options.repoRoot)),
    );
    const [aws, template] = await allStarted([
      startLocalAws(options).then(stoppers.add),
      loadSharedResourcesTemplate({ stage, repoRoot: options.repoRoot }),
    ]);
    // Issuer and JWKS URL derive from the origin (services/serverless.common.yml), here the local one.
    const localParams = { ...options.params, apiOrigin: gateway.url };
    const outputs = await provisionFromTemplate(template, { ...aws.clients, region });
    const started = await allStarted(
      FUNCTION_SERVICES.map(async ({ name }) => {
        const dir = path.join(options.repoRoot, 'services', name);
        const params = { ...serviceParams(name, outputs, options.repoRoot), ...localParams };
        const [service, config] = await allStarted([
          startOfflineService({
            name,
            dir,
            stage,
            region,
            params,
            env: { ...aws.lambdaEnvironment(), PIXELVAULT_BUILD_DIR: options.buildDir ?? '.esbuild' },
            onOutput: (line) => options.onOutput?.(name, line),
            onCrash: options.onCrash,
          }).then(stoppers.add),
          resolveServiceConfig(
            dir,
            stage,
            region,
            params,
            path.join(options.repoRoot, '.local', 'service-config'),
          ),
        ]);
        return { service, config };
      }),
    );

    gateway.route(
      FUNCTION_SERVICES.flatMap(({ name, basePaths }) => {
        const target = started.find(({ service }) => service.name === name)!.service.httpUrl;
        return basePaths.map((basePath): BasePathMapping => ({ basePath, target }));
      }),
    );

    const pollers: Array<{ poller: Poller; functionName: string; queueArn: string }> = [];
    for (const { service, config } of started) {
      for (const event of sqsEvents(config)) {
        if (options.unpolledFunctions?.includes(event.functionKey)) continue;
        const queueName = event.arn.split(':').pop()!;
        const { QueueUrl } = await aws.clients.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
        const poller = startSqsPoller(
          {
            functionName: event.functionName,
            queueUrl: QueueUrl!,
            queueArn: event.arn,
            batchSize: event.batchSize,
            maximumBatchingWindowInSeconds: event.maximumBatchingWindow,
            reportBatchItemFailures: event.reportBatchItemFailures,
            maximumConcurrency: event.maximumConcurrency,
          },
          {
            sqs: aws.clients.sqs,
            region,
            invoke: (functionName, sqsEvent) => service.invoke(functionName, sqsEvent),
            retryDelaySeconds: options.retryDelaySeconds,
            onError: (error) => options.onPollerError?.(error, event.functionName),
          },
        );
        pollers.push({ poller: stoppers.add(poller), functionName: event.functionName, queueArn: event.arn });
      }
    }

    const stats = (): SystemStats => ({
      sqsTriggers: pollers.map(({ poller, functionName, queueArn }) => ({
        functionName,
        queueArn,
        ...poller.stats(),
      })),
      ...(aws.dynamodbTraffic && { dynamodb: aws.dynamodbTraffic() }),
    });
    gateway.serveLocal(STATS_PATH, stats);

    const jobs = started.flatMap(({ service, config }) =>
      scheduleEvents(config).map((job): ScheduledJob => ({ ...job, service: service.name })),
    );
    const runJob = async (name: string, now = new Date()) => {
      const job = findJob(
        jobs.map((candidate) => ({ ...candidate, name: candidate.functionKey })),
        name,
      );
      if (!job) {
        throw new LocalAwsError(
          `No scheduled job "${name}"; known: ${jobs.map((j) => j.functionKey).join(', ') || 'none'}.`,
        );
      }
      const service = started.find(({ service: s }) => s.name === job.service)!.service;
      return service.invoke(job.functionName, scheduledEvent(region, now));
    };

    return {
      url: gateway.url,
      stage,
      params: localParams,
      aws,
      outputs,
      services: started.map(({ service }) => service),
      jobs,
      runJob,
      idle: async () => {
        await Promise.all(pollers.map(({ poller }) => poller.idle()));
      },
      stats,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The EventBridge Scheduled Event a `schedule` trigger delivers; its `time` is the job's notion of now. */
export function scheduledEvent(region: string, now: Date) {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [],
    detail: {},
  };
}
