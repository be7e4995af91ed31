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

/** Resolves a service's configuration with the same stage and params the system runs it with. */
export async function resolveServiceConfig(
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
