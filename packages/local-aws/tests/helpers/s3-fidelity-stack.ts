import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
  type FilterRule,
} from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { FauxqsServer } from 'fauxqs';
import { LOCAL_CREDENTIALS, LOCAL_HOST, LOCAL_REGION } from '../../src/constants';
import { startS3Fidelity, type S3Fidelity } from '../../src/s3-fidelity';
import { startFauxqs } from 'fauxqs';

/** fauxqs plus the fidelity proxy in front of its S3, with clients wired like the local stack wires them. */
export interface FidelityStack {
  fauxqs: FauxqsServer;
  proxy: S3Fidelity;
  /** Talks to the proxy, signs with LOCAL_CREDENTIALS. */
  s3: S3Client;
  /** Talks to fauxqs directly. */
  sqs: SQSClient;
  /** Moves the proxy's clock; 0 is real time. */
  clock: { offsetMs: number };
  stop(): Promise<void>;
}

export async function startFidelityStack(): Promise<FidelityStack> {
  const fauxqs = await startFauxqs({ port: 0, logger: false, host: LOCAL_HOST });
  const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const sqs = new SQSClient({ ...clientConfig, endpoint: `http://${LOCAL_HOST}:${fauxqs.port}` });
  const clock = { offsetMs: 0 };
  const proxy = await startS3Fidelity({
    upstream: `http://${LOCAL_HOST}:${fauxqs.port}`,
    sqs,
    now: () => new Date(Date.now() + clock.offsetMs),
  });
  const s3 = new S3Client({
    ...clientConfig,
    endpoint: proxy.endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  return {
    fauxqs,
    proxy,
    s3,
    sqs,
    clock,
    async stop() {
      s3.destroy();
      sqs.destroy();
      await proxy.stop();
      await fauxqs.stop();
    },
  };
}

export const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

export const sha256Base64 = (body: Buffer): string => createHash('sha256').update(body).digest('base64');

export async function createBucket(stack: FidelityStack): Promise<string> {
  const bucket = uniqueName('bucket');
  await stack.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Receives what is on the queue right now (the proxy queues events before it answers) and deletes it. */
export async function drainQueue(stack: FidelityStack, queueUrl: string): Promise<Message[]> {
  const { Messages = [] } = await stack.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  for (const { ReceiptHandle } of Messages)
    await stack.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle }));
  return Messages;
}

/** A bucket whose ObjectCreated events go to a fresh queue; the s3:TestEvent S3 sends on configuration is drained. */
export async function bucketNotifyingQueue(stack: FidelityStack, filterRules: FilterRule[] = []) {
  const bucket = await createBucket(stack);
  const { queueUrl, queueArn } = stack.fauxqs.createQueue(uniqueName('events'));
  await stack.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Id: 'uploads',
            QueueArn: queueArn,
            Events: ['s3:ObjectCreated:*'],
            ...(filterRules.length > 0 ? { Filter: { Key: { FilterRules: filterRules } } } : {}),
          },
        ],
      },
    }),
  );
  const testEvents = await drainQueue(stack, queueUrl);
  return { bucket, queueUrl, queueArn, testEvents };
}

interface S3EventRecord {
  eventName: string;
  s3: {
    configurationId: string;
    bucket: { name: string; arn: string };
    object: { key: string; size?: number; eTag?: string };
  };
}

export const eventRecords = (messages: Message[]): S3EventRecord[] =>
  messages.flatMap((message) => (JSON.parse(message.Body ?? '{}') as { Records: S3EventRecord[] }).Records);

/** fauxqs in a child process, so that this process's memory is the proxy's (and the test client's) alone. */
export async function startFauxqsProcess(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const script = `const { startFauxqs } = await import('fauxqs');
    const server = await startFauxqs({ port: 0, logger: false, host: '${LOCAL_HOST}' });
    console.log(server.port);`;
  const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return {
    endpoint: `http://${LOCAL_HOST}:${line.toString().trim()}`,
    async stop() {
      child.kill();
      await once(child, 'exit');
    },
  };
}
