import { randomUUID } from 'node:crypto';
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_ACCOUNT_ID } from '../constants';
import type { ObjectEventName } from './request';
import { buildXml, elements, malformedXml, parseXml, S3Error, text, texts, type XmlElement } from './xml';

export interface FilterRule {
  name: 'prefix' | 'suffix';
  value: string;
}

export interface QueueNotification {
  id: string;
  queueArn: string;
  events: string[];
  filterRules: FilterRule[];
}

const SUPPORTED_EVENTS = new Set([
  's3:ObjectCreated:*',
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*',
  's3:ObjectRemoved:Delete',
  's3:ObjectRemoved:DeleteMarkerCreated',
]);
const UNSUPPORTED_DESTINATIONS = [
  'TopicConfiguration',
  'CloudFunctionConfiguration',
  'LambdaFunctionConfiguration',
  'EventBridgeConfiguration',
];

const invalidArgument = (message: string): S3Error => new S3Error(400, 'InvalidArgument', message);

export function queueNameOfArn(arn: string): string {
  const [prefix, partition, service, , , name, ...rest] = arn.split(':');
  if (prefix !== 'arn' || !partition || service !== 'sqs' || !name || rest.length > 0) {
    throw invalidArgument(`Invalid queue ARN: ${arn}`);
  }
  return name;
}

function parseFilterRules(configuration: XmlElement): FilterRule[] {
  const rules = elements(configuration, 'Filter')
    .flatMap((filter) => elements(filter, 'S3Key'))
    .flatMap((s3Key) => elements(s3Key, 'FilterRule'))
    .map((rule): FilterRule => {
      const name = text(rule, 'Name')?.toLowerCase();
      if (name !== 'prefix' && name !== 'suffix')
        throw invalidArgument('filter rule name must be either prefix or suffix');
      return { name, value: text(rule, 'Value') ?? '' };
    });
  for (const name of ['prefix', 'suffix']) {
    if (rules.filter((rule) => rule.name === name).length > 1) {
      throw invalidArgument(`Cannot specify more than one ${name} rule in a filter.`);
    }
  }
  return rules;
}

/** PutBucketNotificationConfiguration body -> queue configurations. Other destinations cannot be delivered locally. */
export function parseNotificationConfiguration(xml: string): QueueNotification[] {
  const root = parseXml(xml, 'NotificationConfiguration');
  const unsupported = UNSUPPORTED_DESTINATIONS.find((name) => root[name] !== undefined);
  if (unsupported)
    throw invalidArgument(`${unsupported} is not supported by the local S3 stack; use QueueConfiguration.`);
  return elements(root, 'QueueConfiguration').map((configuration) => {
    const queueArn = text(configuration, 'Queue');
    const events = texts(configuration, 'Event');
    if (!queueArn || events.length === 0) throw malformedXml();
    queueNameOfArn(queueArn);
    const unknown = events.find((event) => !SUPPORTED_EVENTS.has(event));
    if (unknown) throw invalidArgument(`The event is not supported for notifications: ${unknown}`);
    return {
      id: text(configuration, 'Id') ?? randomUUID(),
      queueArn,
      events,
      filterRules: parseFilterRules(configuration),
    };
  });
}

export function notificationConfigurationXml(configurations: QueueNotification[]): string {
  return buildXml('NotificationConfiguration', {
    QueueConfiguration: configurations.map((configuration) => ({
      Id: configuration.id,
      Queue: configuration.queueArn,
      Event: configuration.events,
      Filter:
        configuration.filterRules.length === 0
          ? undefined
          : {
              S3Key: {
                FilterRule: configuration.filterRules.map((rule) => ({
                  Name: rule.name === 'prefix' ? 'Prefix' : 'Suffix',
                  Value: rule.value,
                })),
              },
            },
    })),
  });
}

export function matchesConfiguration(
  configuration: QueueNotification,
  eventName: ObjectEventName,
  key: string,
): boolean {
  const qualified = `s3:${eventName}`;
  const eventMatches = configuration.events.some((event) =>
    event.endsWith(':*') ? qualified.startsWith(event.slice(0, -1)) : event === qualified,
  );
  return (
    eventMatches &&
    configuration.filterRules.every((rule) =>
      rule.name === 'prefix' ? key.startsWith(rule.value) : key.endsWith(rule.value),
    )
  );
}

/** S3 URL-encodes keys in events like Java's URLEncoder (space -> '+'), but leaves '/' alone. */
export function eventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

export interface ObjectEvent {
  eventName: ObjectEventName;
  region: string;
  time: Date;
  bucket: string;
  key: string;
  /** ObjectCreated events only. */
  object?: { size: number; eTag: string };
  principalId: string;
  sourceIp: string;
  requestId: string;
  hostId: string;
  sequencer: string;
}

/** One message body in the shape S3 sends to SQS. */
export function eventMessage(event: ObjectEvent, configurationId: string): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: event.region,
        eventTime: event.time.toISOString(),
        eventName: event.eventName,
        userIdentity: { principalId: event.principalId },
        requestParameters: { sourceIPAddress: event.sourceIp },
        responseElements: { 'x-amz-request-id': event.requestId, 'x-amz-id-2': event.hostId },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId,
          bucket: {
            name: event.bucket,
            ownerIdentity: { principalId: LOCAL_ACCOUNT_ID },
            arn: `arn:aws:s3:::${event.bucket}`,
          },
          object: { key: eventKey(event.key), ...event.object, sequencer: event.sequencer },
        },
      },
    ],
  });
}

export function testEventMessage(bucket: string, time: Date, requestId: string): string {
  return JSON.stringify({
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: time.toISOString(),
    Bucket: bucket,
    RequestId: requestId,
    HostId: requestId,
  });
}

/** Per-bucket queue configurations (in memory, like the CORS rules) and their delivery to SQS. */
export class BucketNotifications {
  private readonly configurations = new Map<string, QueueNotification[]>();
  private lastSequence = 0n;

  constructor(private readonly sqs: SQSClient) {}

  get(bucket: string): QueueNotification[] {
    return this.configurations.get(bucket) ?? [];
  }

  /** Like S3: every destination must exist, then each receives an s3:TestEvent. */
  async configure(
    bucket: string,
    configurations: QueueNotification[],
    time: Date,
    requestId: string,
  ): Promise<void> {
    const queueUrls = new Set<string>();
    for (const { queueArn } of configurations) {
      queueUrls.add(
        await this.queueUrl(queueArn).catch(() => {
          throw invalidArgument(`Unable to validate the following destination configurations: ${queueArn}`);
        }),
      );
    }
    this.set(bucket, configurations);
    for (const queueUrl of queueUrls) {
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: testEventMessage(bucket, time, requestId),
        }),
      );
    }
  }

  set(bucket: string, configurations: QueueNotification[]): void {
    if (configurations.length === 0) this.configurations.delete(bucket);
    else this.configurations.set(bucket, configurations);
  }

  /** S3 sequencers only grow for a key; a global counter seeded from the clock is enough locally. */
  nextSequencer(time: Date): string {
    const candidate = BigInt(time.getTime()) * 1_000_000n;
    this.lastSequence = candidate > this.lastSequence ? candidate : this.lastSequence + 1n;
    return this.lastSequence.toString(16).toUpperCase().padStart(18, '0');
  }

  async publish(event: ObjectEvent): Promise<void> {
    for (const configuration of this.get(event.bucket)) {
      if (!matchesConfiguration(configuration, event.eventName, event.key)) continue;
      const queueUrl = await this.queueUrl(configuration.queueArn);
      await this.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: eventMessage(event, configuration.id) }),
      );
    }
  }

  private async queueUrl(queueArn: string): Promise<string> {
    const { QueueUrl } = await this.sqs.send(new GetQueueUrlCommand({ QueueName: queueNameOfArn(queueArn) }));
    if (!QueueUrl) throw new Error(`No URL for queue ${queueArn}`);
    return QueueUrl;
  }
}
