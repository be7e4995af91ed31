import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

/** System attributes Lambda passes through only when SQS returns them (X-Ray, FIFO, DLQ redrive). */
const OPTIONAL_SYSTEM_ATTRIBUTES = [
  'AWSTraceHeader',
  'SequenceNumber',
  'MessageGroupId',
  'MessageDeduplicationId',
  'DeadLetterQueueSourceArn',
] as const;

export function regionOfArn(arn: string): string {
  const region = arn.split(':')[3];
  if (!region) throw new Error(`Not an ARN with a region: ${arn}`);
  return region;
}

/** Maps a message received with all system and message attributes to the record Lambda's SQS event carries. */
export function toSqsRecord(message: Message, eventSourceARN: string, awsRegion: string): SQSRecord {
  const record: SQSRecord = {
    messageId: required(message.MessageId, 'MessageId'),
    receiptHandle: required(message.ReceiptHandle, 'ReceiptHandle'),
    body: required(message.Body, 'Body'),
    attributes: toRecordAttributes(message.Attributes ?? {}),
    messageAttributes: toLambdaMessageAttributes(message.MessageAttributes ?? {}),
    md5OfBody: required(message.MD5OfBody, 'MD5OfBody'),
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion,
  };
  // Present in Lambda's record only when the message has attributes, as SQS returns it.
  if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

function toRecordAttributes(attributes: Partial<Record<string, string>>): SQSRecordAttributes {
  const result: SQSRecordAttributes = {
    ApproximateReceiveCount: required(attributes.ApproximateReceiveCount, 'ApproximateReceiveCount'),
    SentTimestamp: required(attributes.SentTimestamp, 'SentTimestamp'),
    SenderId: required(attributes.SenderId, 'SenderId'),
    ApproximateFirstReceiveTimestamp: required(
      attributes.ApproximateFirstReceiveTimestamp,
      'ApproximateFirstReceiveTimestamp',
    ),
  };
  for (const name of OPTIONAL_SYSTEM_ATTRIBUTES) {
    const value = attributes[name];
    if (value !== undefined) result[name] = value;
  }
  return result;
}

/** Lambda uses camelCase keys, base64 for binary, and always sends both (reserved) list fields. */
function toLambdaMessageAttributes(attributes: Record<string, MessageAttributeValue>): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    result[name] = {
      ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
      ...(value.BinaryValue !== undefined && { binaryValue: base64(value.BinaryValue) }),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map(base64),
      dataType: required(value.DataType, `MessageAttributes.${name}.DataType`),
    };
  }
  return result;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`SQS message without ${name}; receive with all attribute names`);
  return value;
}
