import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { FauxqsServer } from 'fauxqs';
import { LOCAL_CREDENTIALS, LOCAL_HOST, LOCAL_REGION } from '../../src/constants';
import {
  startSqsPoller,
  type Invoke,
  type Poller,
  type PollerOptions,
  type SqsEventSource,
} from '../../src/pollers';
import { startFauxqs } from 'fauxqs';

let server: FauxqsServer;
let sqs: SQSClient;
const pollers: Poller[] = [];
let queueCount = 0;

beforeAll(async () => {
  server = await startFauxqs({ port: 0, logger: false });
  sqs = new SQSClient({
    endpoint: `http://${LOCAL_HOST}:${server.port}`,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
});

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
});

afterAll(async () => {
  sqs.destroy();
  await server.stop();
});

interface TestQueue {
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
}

// A fresh queue per test: after stop(), fauxqs still answers the aborted long poll and would swallow new messages.
async function createQueueWithDlq(attributes: Record<string, string> = {}): Promise<TestQueue> {
  queueCount += 1;
  const dlqUrl = await createQueue(`poller-${queueCount}-dlq`);
  const dlqArn = await queueArnOf(dlqUrl);
  const queueUrl = await createQueue(`poller-${queueCount}`, {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }),
    ...attributes,
  });
  return { queueUrl, queueArn: await queueArnOf(queueUrl), dlqUrl };
}

async function createQueue(name: string, attributes?: Record<string, string>): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  return QueueUrl;
}

async function queueArnOf(queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error('GetQueueAttributes returned no QueueArn');
  return Attributes.QueueArn;
}

/** Sends in one SendMessageBatch so all messages are visible to the same receive; returns messageId -> body. */
async function sendBatch(queueUrl: string, bodies: string[]): Promise<Map<string, string>> {
  const { Successful = [] } = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
    }),
  );
  return new Map(Successful.map((entry) => [entry.MessageId ?? '', bodies[Number(entry.Id)] ?? '']));
}

async function queueCounts(queueUrl: string): Promise<Record<string, string>> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return Attributes;
}

const EMPTY_QUEUE = {
  ApproximateNumberOfMessages: '0',
  ApproximateNumberOfMessagesNotVisible: '0',
  ApproximateNumberOfMessagesDelayed: '0',
};

/** Records every event; `respond` decides the outcome of the n-th invocation (1-based). */
function recordingFunction(
  respond: (event: SQSEvent, call: number) => SQSBatchResponse | void = () => undefined,
) {
  const events: SQSEvent[] = [];
  const invoke: Invoke = async (_functionName, event) => {
    events.push(event);
    return respond(event, events.length);
  };
  const messageIdsOf = (call: number) =>
    (events[call]?.Records ?? []).map((record) => record.messageId).sort();
  return { events, invoke, messageIdsOf };
}

function startPoller(
  queue: Pick<TestQueue, 'queueUrl' | 'queueArn'>,
  source: Partial<SqsEventSource>,
  options: Pick<PollerOptions, 'invoke'> & Partial<PollerOptions>,
): Poller {
  const poller = startSqsPoller(
    { functionName: 'processUpload', batchSize: 10, reportBatchItemFailures: true, ...queue, ...source },
    { sqs, onError: () => undefined, ...options },
  );
  pollers.push(poller);
  return poller;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SQS -> Lambda poller on fauxqs', () => {
  it('redelivers only the reported failures and moves them to the DLQ after maxReceiveCount receives', async () => {
    // Arrange
    const queue = await createQueueWithDlq();
    const bodies = Array.from({ length: 10 }, (_, index) => `upload-${index}`);
    const failingBodies = ['upload-2', 'upload-5', 'upload-7'];
    const deliveries = new Map<string, number>();
    const fn = recordingFunction((event) => {
      for (const record of event.Records)
        deliveries.set(record.messageId, (deliveries.get(record.messageId) ?? 0) + 1);
      const failures = event.Records.filter((record) => failingBodies.includes(record.body));
      return { batchItemFailures: failures.map((record) => ({ itemIdentifier: record.messageId })) };
    });
    const bodyById = await sendBatch(queue.queueUrl, bodies);

    // Act
    const poller = startPoller(queue, { batchSize: 10 }, { invoke: fn.invoke, retryDelaySeconds: 0 });
    await poller.idle();

    // Assert
    const expectedDeliveries = [...bodyById].map(([id, body]) => [id, failingBodies.includes(body) ? 3 : 1]);
    expect(Object.fromEntries(deliveries)).toStrictEqual(Object.fromEntries(expectedDeliveries));
    const { Messages: dead = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.dlqUrl, MaxNumberOfMessages: 10 }),
    );
    expect(dead.map((message) => message.Body).sort()).toStrictEqual(failingBodies);
    expect(dead.map((message) => bodyById.get(message.MessageId ?? ''))).toStrictEqual(
      dead.map((message) => message.Body),
    );
    expect(await queueCounts(queue.queueUrl)).toStrictEqual(EMPTY_QUEUE);
  });

  it('delivers records in the shape Lambda gives an SQS-triggered function', async () => {
    // Arrange
    const queue = await createQueueWithDlq();
    const fn = recordingFunction();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.queueUrl,
        MessageBody: 'hello',
        MessageAttributes: {
          tenant: { DataType: 'String', StringValue: 'demo' },
          thumb: { DataType: 'Binary', BinaryValue: Buffer.from('xyz') },
        },
      }),
    );

    // Act
    const poller = startPoller(queue, {}, { invoke: fn.invoke });
    await poller.idle();

    // Assert
    expect(fn.events).toHaveLength(1);
    expect(fn.events[0]?.Records).toStrictEqual([
      {
        messageId: expect.any(String),
        receiptHandle: expect.any(String),
        body: 'hello',
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: expect.stringMatching(/^\d+$/),
          SenderId: expect.any(String),
          ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/),
        },
        messageAttributes: {
          tenant: { stringValue: 'demo', stringListValues: [], binaryListValues: [], dataType: 'String' },
          thumb: { binaryValue: 'eHl6', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
        },
        md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
        md5OfBody: '5d41402abc4b2a76b9719d911017c592',
        eventSource: 'aws:sqs',
        eventSourceARN: queue.queueArn,
        awsRegion: LOCAL_REGION,
      },
    ]);
  });

  it('gathers messages sent in two bursts into one invocation within the batching window', async () => {
    // Arrange
    const queue = await createQueueWithDlq();
    const fn = recordingFunction();
    const poller = startPoller(
      queue,
      { batchSize: 10, maximumBatchingWindowInSeconds: 2 },
      { invoke: fn.invoke },
    );

    // Act
    await sendBatch(queue.queueUrl, ['a1', 'a2', 'a3', 'a4', 'a5']);
    await sleep(300);
    await sendBatch(queue.queueUrl, ['b1', 'b2', 'b3', 'b4', 'b5']);
    await poller.idle();

    // Assert
    expect(fn.events.map((event) => event.Records.length)).toStrictEqual([10]);
  });

  it('invokes with a partial batch once the batching window has elapsed', async () => {
    // Arrange
    const queue = await createQueueWithDlq();
    const fn = recordingFunction();
    await sendBatch(queue.queueUrl, ['a', 'b', 'c']);
    const startedAt = Date.now();

    // Act
    const poller = startPoller(
      queue,
      { batchSize: 10, maximumBatchingWindowInSeconds: 1 },
      { invoke: fn.invoke },
    );
    await poller.idle();

    // Assert
    expect(fn.events.map((event) => event.Records.length)).toStrictEqual([3]);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1000);
  });

  it('redelivers the whole batch when the function throws', async () => {
    // Arrange
    const queue = await createQueueWithDlq();
    const failure = new Error('handler crashed');
    const fn = recordingFunction((_event, call) => {
      if (call === 1) throw failure;
    });
    const errors: unknown[] = [];
    await sendBatch(queue.queueUrl, ['a', 'b', 'c']);

    // Act
    const poller = startPoller(
      queue,
      {},
      { invoke: fn.invoke, retryDelaySeconds: 0, onError: (error) => errors.push(error) },
    );
    await poller.idle();

    // Assert
    expect(fn.events).toHaveLength(2);
    expect(fn.messageIdsOf(1)).toStrictEqual(fn.messageIdsOf(0));
    expect(fn.events[1]?.Records.map((record) => record.attributes.ApproximateReceiveCount)).toStrictEqual([
      '2',
      '2',
      '2',
    ]);
    expect(errors).toStrictEqual([failure]);
  });

  it('fails the whole batch when an itemIdentifier is not in the batch', async () => {
    // Arrange
    const queue = await createQueueWithDlq();
    const fn = recordingFunction((_event, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-a-message-id' }] } : undefined,
    );
    const errors: unknown[] = [];
    await sendBatch(queue.queueUrl, ['a', 'b', 'c']);

    // Act
    const poller = startPoller(
      queue,
      {},
      { invoke: fn.invoke, retryDelaySeconds: 0, onError: (error) => errors.push(error) },
    );
    await poller.idle();

    // Assert
    expect(fn.events).toHaveLength(2);
    expect(fn.messageIdsOf(1)).toStrictEqual(fn.messageIdsOf(0));
    expect(errors).toStrictEqual([
      expect.objectContaining({ message: expect.stringContaining('not-a-message-id') }),
    ]);
  });

  it('ignores batchItemFailures and deletes every record without ReportBatchItemFailures', async () => {
    // Arrange
    const queue = await createQueueWithDlq();
    const fn = recordingFunction((event) => ({
      batchItemFailures: [{ itemIdentifier: event.Records[0]?.messageId ?? '' }],
    }));
    await sendBatch(queue.queueUrl, ['a', 'b']);

    // Act
    const poller = startPoller(
      queue,
      { reportBatchItemFailures: false },
      { invoke: fn.invoke, retryDelaySeconds: 0 },
    );
    await poller.idle();

    // Assert
    expect(fn.events).toHaveLength(1);
    expect(await queueCounts(queue.queueUrl)).toStrictEqual(EMPTY_QUEUE);
  });

  it("without retryDelaySeconds leaves failed records invisible for the queue's visibility timeout", async () => {
    // Arrange
    const queue = await createQueueWithDlq({ VisibilityTimeout: '1' });
    const invokedAt: number[] = [];
    const fn = recordingFunction((_event, call) => {
      invokedAt.push(Date.now());
      if (call === 1) throw new Error('first attempt fails');
    });
    await sendBatch(queue.queueUrl, ['a']);

    // Act
    const poller = startPoller(queue, {}, { invoke: fn.invoke });
    await poller.idle();

    // Assert
    expect(invokedAt).toHaveLength(2);
    expect((invokedAt[1] ?? 0) - (invokedAt[0] ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('keeps at most maximumConcurrency invocations in flight', async () => {
    // Arrange
    const queue = await createQueueWithDlq();
    let running = 0;
    let mostRunning = 0;
    const invoke: Invoke = async () => {
      running += 1;
      mostRunning = Math.max(mostRunning, running);
      await sleep(150);
      running -= 1;
    };
    await sendBatch(queue.queueUrl, ['a', 'b', 'c', 'd', 'e', 'f']);

    // Act
    const poller = startPoller(queue, { batchSize: 1, maximumConcurrency: 2 }, { invoke });
    await poller.idle();

    // Assert
    expect(mostRunning).toBe(2);
    expect(poller.stats().peakConcurrency).toBe(2);
  });

  it('counts invocations, delivered records, failed records and peak concurrency', async () => {
    // Arrange
    const queue = await createQueueWithDlq();
    const fn = recordingFunction((event, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: event.Records[0]?.messageId ?? '' }] } : undefined,
    );
    const poller = startPoller(queue, {}, { invoke: fn.invoke, retryDelaySeconds: 0 });
    const before = poller.stats();
    const startedAt = Date.now();

    // Act
    await sendBatch(queue.queueUrl, ['a', 'b', 'c']);
    await poller.idle();

    // Assert
    expect(before).toStrictEqual({ invocations: 0, records: 0, failedRecords: 0, peakConcurrency: 0 });
    const stats = poller.stats();
    expect(stats).toStrictEqual({
      invocations: 2,
      records: 4,
      failedRecords: 1,
      peakConcurrency: 1,
      firstInvocationAt: expect.any(Number),
      lastInvocationEndedAt: expect.any(Number),
    });
    expect(stats.firstInvocationAt).toBeGreaterThanOrEqual(startedAt);
    expect(stats.lastInvocationEndedAt).toBeGreaterThanOrEqual(stats.firstInvocationAt!);
    expect(fn.events.map((event) => event.Records.length)).toStrictEqual([3, 1]);
  });

  it('counts a throwing invocation as failing its whole batch', async () => {
    // Arrange
    const queue = await createQueueWithDlq();
    const fn = recordingFunction((_event, call) => {
      if (call === 1) throw new Error('handler crashed');
    });
    await sendBatch(queue.queueUrl, ['a', 'b']);

    // Act
    const poller = startPoller(queue, {}, { invoke: fn.invoke, retryDelaySeconds: 0 });
    await poller.idle();

    // Assert
    expect(poller.stats()).toMatchObject({ invocations: 2, records: 4, failedRecords: 2 });
  });

  it('stop() resolves promptly while a long poll is pending', async () => {
    // Arrange
    const queue = await createQueueWithDlq();
    const poller = startPoller(queue, {}, { invoke: recordingFunction().invoke });
    await sleep(200);

    // Act
    const startedAt = Date.now();
    await poller.stop();

    // Assert
    expect(Date.now() - startedAt).toBeLessThan(1000);
  });

  it('reports SQS errors through onError and retries with backoff', async () => {
    // Arrange
    const errors: unknown[] = [];
    const missing = {
      queueUrl: `http://${LOCAL_HOST}:${server.port}/000000000000/missing`,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:missing',
    };

    // Act
    const poller = startPoller(
      missing,
      {},
      { invoke: recordingFunction().invoke, onError: (error) => errors.push(error) },
    );
    await sleep(1000);
    const stopStartedAt = Date.now();
    await poller.stop();

    // Assert
    expect(Date.now() - stopStartedAt).toBeLessThan(1000);
    // Backoff 100, 200, 400 ms...: a handful of attempts in one second, not a hot loop.
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.length).toBeLessThanOrEqual(6);
    expect(errors).toContainEqual(expect.objectContaining({ name: 'QueueDoesNotExist' }));
  });

  it('rejects mappings that CreateEventSourceMapping rejects', () => {
    // Arrange
    const queue = { queueUrl: 'http://unused', queueArn: 'arn:aws:sqs:us-east-1:000000000000:unused' };

    // Act
    const act = () =>
      startPoller(
        queue,
        { batchSize: 20, maximumBatchingWindowInSeconds: 0 },
        { invoke: recordingFunction().invoke },
      );

    // Assert
    expect(act).toThrow(/batchSize above 10 needs maximumBatchingWindowInSeconds/);
  });
});
