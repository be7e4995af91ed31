import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

/** One SQS trigger of a function, as an AWS::Lambda::EventSourceMapping describes it. */
export interface SqsEventSource {
  functionName: string;
  queueUrl: string;
  queueArn: string;
  /** 1..10000; above 10 AWS requires a batching window of at least 1 s. Gathered from several receives. */
  batchSize: number;
  /** 0..300, default 0: invoke with whatever one receive returned. */
  maximumBatchingWindowInSeconds?: number;
  /** FunctionResponseTypes: [ReportBatchItemFailures]. */
  reportBatchItemFailures: boolean;
  /** Concurrent in-flight invocations for this source, 2..1000 as in AWS (default 2). */
  maximumConcurrency?: number;
}

export type Invoke = (functionName: string, event: SQSEvent) => Promise<SQSBatchResponse | void | unknown>;

export interface PollerOptions {
  sqs: SQSClient;
  invoke: Invoke;
  /** awsRegion of the records; defaults to the region in queueArn. */
  region?: string;
  /** SQS errors, invocation errors and invalid batch responses; defaults to console.error. */
  onError?: (error: unknown, source: SqsEventSource) => void;
  /**
   * Local-only shortcut: failed records get ChangeMessageVisibility(retryDelaySeconds) instead of waiting for the
   * queue's visibility timeout, which is what AWS does. 0..43200.
   */
  retryDelaySeconds?: number;
}

/** What a poller did since it started: the figures Lambda's metrics give per event source mapping. */
export interface PollerStats {
  /** Invocations of the function, failed ones included. */
  invocations: number;
  /** Records delivered over all invocations (a redelivered record counts each time). */
  records: number;
  /** Records left on the queue for a retry: reported failures, or the whole batch of a failed invocation. */
  failedRecords: number;
  /** Most invocations in flight at once. */
  peakConcurrency: number;
  /** Epoch ms when the first invocation began, and when the latest one ended; undefined before any. */
  firstInvocationAt?: number;
  lastInvocationEndedAt?: number;
}

export interface Poller {
  /** A snapshot of the counts so far. */
  stats(): PollerStats;
  /** Stops receiving at once (aborts a pending long poll); resolves when in-flight batches finished. */
  stop(): Promise<void>;
  /** Resolves when the queue holds no message (visible, in flight or delayed) and no batch is in flight. */
  idle(): Promise<void>;
}
