import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createHash, randomBytes } from 'node:crypto';
import { invokeOffline, LOCAL_CREDENTIALS } from '@pixelvault/local-aws';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { testSystem } from './system';

export interface TakeOptions {
  /** Stop once this many matched (after `settleMs` more, to catch an unexpected extra one). */
  count: number;
  timeoutMs?: number;
  settleMs?: number;
}

/**
 * Takes (receives and deletes) the messages of a queue that `match` picks, as parsed values. Tests share the
 * queues: every other message is made visible again at once, so each test matches only on its own ids.
 */
export async function takeMessages<T>(
  queueUrl: string,
  match: (body: unknown) => T | undefined,
  { count, timeoutMs = 10_000, settleMs = 0 }: TakeOptions,
): Promise<T[]> {
  const system = testSystem();
  const sqs = new SQSClient({
    endpoint: system.endpoints.sqs,
    region: system.region,
    credentials: LOCAL_CREDENTIALS,
  });
  const taken: T[] = [];
  try {
    let deadline = Date.now() + timeoutMs;
    let settling = false;
    while (Date.now() < deadline) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 30,
        }),
      );
      for (const message of Messages) {
        const matched = match(JSON.parse(message.Body ?? 'null'));
        const handle = message.ReceiptHandle;
        if (matched !== undefined) {
          taken.push(matched);
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: handle }));
        } else {
          await sqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: queueUrl,
              ReceiptHandle: handle,
              VisibilityTimeout: 0,
            }),
          );
        }
      }
      if (taken.length >= count && !settling) {
        if (settleMs <= 0) break;
        settling = true;
        deadline = Date.now() + settleMs;
      }
    }
    return taken;
  } finally {
    sqs.destroy();
  }
}

/** An SQS event carrying these bodies from the queue, in Lambda's record shape. */
export function sqsBatchEvent(queueArn: string, bodies: string[]): SQSEvent {
  const system = testSystem();
  return {
    Records: bodies.map((body, index) => ({
      messageId: `${randomBytes(8).toString('hex')}-${index}`,
      receiptHandle: randomBytes(16).toString('hex'),
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'PIXELVAULT-TEST',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: system.region,
    })),
  };
}

/** Invokes a service's SQS-triggered function with one batch of these bodies, as the poller would. */
export async function invokeWithSqsBatch(
  service: string,
  functionKey: string,
  queueArn: string,
  bodies: string[],
): Promise<SQSBatchResponse> {
  const system = testSystem();
  return (await invokeOffline(
    system.lambdaUrls[service]!,
    `pixelvault-${service}-${system.stage}-${functionKey}`,
    sqsBatchEvent(queueArn, bodies),
  )) as SQSBatchResponse;
}
