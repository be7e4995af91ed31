import { setTimeout as delay } from 'node:timers/promises';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { LocalAwsError } from '../errors';
import { judgeBatchResponse } from './batch-response';
import { regionOfArn, toSqsRecord } from './event';
import type { Poller, PollerOptions, PollerStats, SqsEventSource } from './types';

const MAX_MESSAGES_PER_CALL = 10;
const LONG_POLL_SECONDS = 20;
/** Pause between short polls in the last second of a batching window (WaitTimeSeconds has whole seconds only). */
const SHORT_POLL_PAUSE_MS = 50;
const IDLE_CHECK_MS = 50;
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 5_000;
const DEFAULT_MAXIMUM_CONCURRENCY = 2;

/**
 * Plays AWS Lambda's SQS event source mapping: receives batches, invokes the function, deletes what succeeded and
 * leaves failed records on the queue, so the queue's visibility timeout and RedrivePolicy decide retries and the DLQ.
 */
export function startSqsPoller(source: SqsEventSource, options: PollerOptions): Poller {
  assertValidMapping(source, options);
  const { sqs, invoke, retryDelaySeconds } = options;
  const region = options.region ?? regionOfArn(source.queueArn);
  const windowMs = (source.maximumBatchingWindowInSeconds ?? 0) * 1000;
  const maximumConcurrency = source.maximumConcurrency ?? DEFAULT_MAXIMUM_CONCURRENCY;
  const onError =
    options.onError ?? ((error) => console.error(`SQS poller for ${source.functionName}:`, error));
  const report = (error: unknown) => onError(error, source);
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let consecutiveErrors = 0;
  const stats: PollerStats = { invocations: 0, records: 0, failedRecords: 0, peakConcurrency: 0 };
  let invoking = 0;

  // Resolves early on stop() so no sleep delays shutdown.
  const pause = (ms: number) => delay(ms, undefined, { signal: stopping.signal }).catch(() => undefined);

  async function receive(maxNumberOfMessages: number, waitTimeSeconds: number): Promise<Message[]> {
    const command = new ReceiveMessageCommand({
      QueueUrl: source.queueUrl,
      MaxNumberOfMessages: maxNumberOfMessages,
      WaitTimeSeconds: waitTimeSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    });
    // stop() aborts a pending long poll. fauxqs keeps the aborted poll's waiter until WaitTimeSeconds ends, and that
    // waiter can take a message sent meanwhile (hidden for the visibility timeout), as a dropped connection can on AWS.
    const output = await sqs.send(command, { abortSignal: stopping.signal });
    return output.Messages ?? [];
  }

  /** Receives until batchSize messages or the batching window (started by the first message) has elapsed. */
  async function gatherBatch(): Promise<Message[]> {
    const messages: Message[] = [];
    let windowEnd = Infinity;
    while (!stopping.signal.aborted && messages.length < source.batchSize) {
      const remainingMs = windowEnd - Date.now();
      if (remainingMs <= 0) break;
      const waitTimeSeconds = Math.min(LONG_POLL_SECONDS, Math.floor(remainingMs / 1000));
      try {
        const received = await receive(
          Math.min(MAX_MESSAGES_PER_CALL, source.batchSize - messages.length),
          waitTimeSeconds,
        );
        consecutiveErrors = 0;
        if (messages.length === 0 && received.length > 0) windowEnd = Date.now() + windowMs;
        messages.push(...received);
        if (received.length === 0 && waitTimeSeconds === 0)
          await pause(Math.min(SHORT_POLL_PAUSE_MS, remainingMs));
      } catch (error) {
        if (stopping.signal.aborted) break;
        report(error);
        // Messages already received are invisible now; invoke with them rather than let them time out.
        if (messages.length > 0) break;
        consecutiveErrors += 1;
        await pause(Math.min(BACKOFF_FIRST_MS * 2 ** (consecutiveErrors - 1), BACKOFF_MAX_MS));
      }
    }
    return messages;
  }

  async function processBatch(messages: Message[]): Promise<void> {
    try {
      const records = messages.map((message) => toSqsRecord(message, source.queueArn, region));
      const failedIds = await invokeFunction(records);
      const succeeded = records.filter((record) => !failedIds.has(record.messageId));
      const failed = records.filter((record) => failedIds.has(record.messageId));
      await Promise.all([
        deleteRecords(succeeded),
        retryDelaySeconds === undefined ? undefined : changeVisibility(failed, retryDelaySeconds),
      ]);
    } catch (error) {
      report(error);
    }
  }

  /** Returns the ids of records to leave on the queue. */
  async function invokeFunction(records: SQSRecord[]): Promise<ReadonlySet<string>> {
    // The handler may mutate the event; keep our own ids.
    const ids = records.map((record) => record.messageId);
    let response: unknown;
    stats.invocations += 1;
    stats.records += records.length;
    stats.firstInvocationAt ??= Date.now();
    invoking += 1;
    stats.peakConcurrency = Math.max(stats.peakConcurrency, invoking);
    try {
      response = await invoke(source.functionName, { Records: structuredClone(records) });
    } catch (error) {
      report(error);
      stats.failedRecords += ids.length;
      return new Set(ids);
    } finally {
      invoking -= 1;
      stats.lastInvocationEndedAt = Date.now();
    }
    const verdict = judgeBatchResponse(ids, response, source.reportBatchItemFailures);
    stats.failedRecords += verdict.failedIds.size;
    if (verdict.invalidResponse) {
      report(
        new Error(
          `${source.functionName} returned an invalid batch response, whole batch failed: ${verdict.invalidResponse}`,
        ),
      );
    }
    return verdict.failedIds;
  }

  async function deleteRecords(records: SQSRecord[]): Promise<void> {
    for (const chunk of chunks(records)) {
      const output = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: source.queueUrl,
          Entries: chunk.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
        }),
      );
      reportBatchEntryFailures('DeleteMessageBatch', output.Failed);
    }
  }

  async function changeVisibility(records: SQSRecord[], visibilityTimeout: number): Promise<void> {
    for (const chunk of chunks(records)) {
      const output = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: source.queueUrl,
          Entries: chunk.map((record, index) => ({
            Id: String(index),
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: visibilityTimeout,
          })),
        }),
      );
      reportBatchEntryFailures('ChangeMessageVisibilityBatch', output.Failed);
    }
  }

  function reportBatchEntryFailures(
    action: string,
    failed: { Code?: string; Message?: string }[] | undefined,
  ): void {
    for (const entry of failed ?? [])
      report(new Error(`${action} failed for an entry: ${entry.Code}: ${entry.Message}`));
  }

  async function queueIsEmpty(): Promise<boolean> {
    const { Attributes: attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: source.queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return Object.values(attributes).every((count) => count === '0');
  }

  async function run(): Promise<void> {
    while (!stopping.signal.aborted) {
      if (inFlight.size >= maximumConcurrency) {
        await Promise.race(inFlight);
        continue;
      }
      const messages = await gatherBatch();
      if (messages.length === 0) continue;
      const batch = processBatch(messages);
      inFlight.add(batch);
      void batch.finally(() => inFlight.delete(batch));
    }
  }

  const running = run();

  return {
    stats: () => ({ ...stats }),
    async stop() {
      stopping.abort();
      await running;
      await Promise.all(inFlight);
    },
    async idle() {
      for (;;) {
        if (stopping.signal.aborted)
          throw new LocalAwsError(`The SQS poller for ${source.functionName} was stopped.`);
        // Received messages stay "not visible" until deleted, so an empty queue plus no batch means all work is done.
        if ((await queueIsEmpty()) && inFlight.size === 0) return;
        await pause(IDLE_CHECK_MS);
      }
    },
  };
}

function chunks<T>(items: T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_MESSAGES_PER_CALL)
    result.push(items.slice(i, i + MAX_MESSAGES_PER_CALL));
  return result;
}

/** Rejects what CreateEventSourceMapping would reject, so a local setup cannot work that would fail to deploy. */
function assertValidMapping(source: SqsEventSource, options: PollerOptions): void {
  const window = source.maximumBatchingWindowInSeconds ?? 0;
  const problems = [
    !isIntegerIn(source.batchSize, 1, 10_000) && 'batchSize must be an integer from 1 to 10000',
    !isIntegerIn(window, 0, 300) && 'maximumBatchingWindowInSeconds must be an integer from 0 to 300',
    source.batchSize > 10 &&
      window < 1 &&
      'a batchSize above 10 needs maximumBatchingWindowInSeconds of at least 1',
    !isIntegerIn(source.maximumConcurrency ?? DEFAULT_MAXIMUM_CONCURRENCY, 2, 1000) &&
      'maximumConcurrency must be an integer from 2 to 1000',
    options.retryDelaySeconds !== undefined &&
      !isIntegerIn(options.retryDelaySeconds, 0, 43_200) &&
      'retryDelaySeconds must be an integer from 0 to 43200',
  ].filter((problem) => problem !== false);
  if (problems.length > 0) {
    throw new LocalAwsError(`Invalid SQS event source for ${source.functionName}: ${problems.join('; ')}.`);
  }
}

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}
