import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runSls, paramFlags } from './serverless-cli';

/** The parts of a resolved serverless.yml that the local system acts on. */
export interface ServiceConfig {
  service: string;
  functions: Record<string, FunctionConfig>;
}

export interface FunctionConfig {
  name: string;
  handler: string;
  events?: Array<Record<string, unknown>>;
}

export interface SqsEventConfig {
  functionKey: string;
  functionName: string;
  arn: string;
  batchSize: number;
  maximumBatchingWindow: number;
  reportBatchItemFailures: boolean;
  maximumConcurrency?: number;
}

export interface ScheduleEventConfig {
  functionKey: string;
  functionName: string;
  rate: string[];
}

/**
 * Resolves a service's configuration with the same stage and params the system runs it with. `sls print` costs
 * a second or two of CPU per service while every service is starting, so its result is kept in `cacheDir`
 * under a hash of everything it depends on: the service's and the shared YAML files, stage, region and params.
 */
export async function resolveServiceConfig(
  serviceDir: string,
  stage: string,
  region: string,
  params: Record<string, string>,
  cacheDir?: string,
): Promise<ServiceConfig> {
  // One file per service and stage, so runs with changing params (tests) replace rather than pile up.
  const cacheFile = cacheDir && path.join(cacheDir, `${path.basename(serviceDir)}.${stage}.json`);
  const hash = configHash(serviceDir, stage, region, params);
  if (cacheFile && existsSync(cacheFile)) {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as { hash: string; config: ServiceConfig };
    if (cached.hash === hash) return cached.config;
  }
  const config = await printServiceConfig(serviceDir, stage, region, params);
  if (cacheFile) {
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    writeFileSync(cacheFile, JSON.stringify({ hash, config }));
  }
  return config;
}

function configHash(
  serviceDir: string,
  stage: string,
  region: string,
  params: Record<string, string>,
): string {
  const hash = createHash('sha256').update(JSON.stringify({ serviceDir, stage, region, params }));
  const yamlFiles = [
    path.join(serviceDir, 'serverless.yml'),
    ...readdirSync(path.dirname(serviceDir))
      .filter((name) => name.endsWith('.yml'))
      .map((name) => path.join(path.dirname(serviceDir), name)),
  ];
  for (const file of yamlFiles) hash.update(file).update(readFileSync(file));
  return hash.digest('hex').slice(0, 32);
}

async function printServiceConfig(
  serviceDir: string,
  stage: string,
  region: string,
  params: Record<string, string>,
): Promise<ServiceConfig> {
  const printed = await runSls(serviceDir, [
    'print',
    '--format',
    'json',
    '--stage',
    stage,
    '--region',
    region,
    ...paramFlags(params),
  ]);
  const config = JSON.parse(printed.slice(printed.indexOf('{'))) as ServiceConfig;
  for (const [key, fn] of Object.entries(config.functions ?? {})) {
    fn.name ??= `${config.service}-${stage}-${key}`;
  }
  return config;
}

/** SQS event sources with Lambda's defaults (batch size 10, no window) where the config is silent. */
export function sqsEvents(config: ServiceConfig): SqsEventConfig[] {
  return Object.entries(config.functions ?? {}).flatMap(([functionKey, fn]) =>
    (fn.events ?? []).flatMap((event) => {
      const sqs = event.sqs as
        | string
        | {
            arn: string;
            batchSize?: number;
            maximumBatchingWindow?: number;
            functionResponseType?: string;
            maximumConcurrency?: number;
          }
        | undefined;
      if (!sqs) return [];
      const spec = typeof sqs === 'string' ? { arn: sqs } : sqs;
      return [
        {
          functionKey,
          functionName: fn.name,
          arn: spec.arn,
          batchSize: spec.batchSize ?? 10,
          maximumBatchingWindow: spec.maximumBatchingWindow ?? 0,
          reportBatchItemFailures: spec.functionResponseType === 'ReportBatchItemFailures',
          maximumConcurrency: spec.maximumConcurrency,
        },
      ];
    }),
  );
}

export function scheduleEvents(config: ServiceConfig): ScheduleEventConfig[] {
  return Object.entries(config.functions ?? {}).flatMap(([functionKey, fn]) =>
    (fn.events ?? []).flatMap((event) => {
      const schedule = event.schedule as string | { rate: string | string[] } | undefined;
      if (!schedule) return [];
      const spec = typeof schedule === 'string' ? { rate: schedule } : schedule;
      return [
        {
          functionKey,
          functionName: fn.name,
          rate: Array.isArray(spec.rate) ? spec.rate : [spec.rate],
        },
      ];
    }),
  );
}
