import type { Message } from '@aws-sdk/client-sqs';
import { judgeBatchResponse } from '../../src/pollers/batch-response';
import { regionOfArn, toSqsRecord } from '../../src/pollers/event';

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:000000000000:uploads';

function sqsMessage(overrides: Partial<Message> = {}): Message {
  return {
    MessageId: 'm-1',
    ReceiptHandle: 'rh-1',
    Body: '{"key":"a.jpg"}',
    MD5OfBody: 'md5-body',
    Attributes: {
      SenderId: 'AIDAEXAMPLE',
      SentTimestamp: '1700000000000',
      ApproximateReceiveCount: '2',
      ApproximateFirstReceiveTimestamp: '1700000000005',
    },
    ...overrides,
  };
}

describe('toSqsRecord', () => {
  it('builds the record Lambda delivers for a message without attributes', () => {
    // Arrange
    const message = sqsMessage();

    // Act
    const record = toSqsRecord(message, QUEUE_ARN, 'eu-west-1');

    // Assert
    expect(record).toStrictEqual({
      messageId: 'm-1',
      receiptHandle: 'rh-1',
      body: '{"key":"a.jpg"}',
      attributes: {
        ApproximateReceiveCount: '2',
        SentTimestamp: '1700000000000',
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: '1700000000005',
      },
      messageAttributes: {},
      md5OfBody: 'md5-body',
      eventSource: 'aws:sqs',
      eventSourceARN: QUEUE_ARN,
      awsRegion: 'eu-west-1',
    });
  });

  it('maps message attributes to Lambda camelCase shape with base64 binaries and list fields', () => {
    // Arrange
    const message = sqsMessage({
      MD5OfMessageAttributes: 'md5-attrs',
      MessageAttributes: {
        tenant: { DataType: 'String', StringValue: 'demo' },
        count: { DataType: 'Number.int', StringValue: '5' },
        thumb: { DataType: 'Binary', BinaryValue: Buffer.from('xyz') },
      },
    });

    // Act
    const record = toSqsRecord(message, QUEUE_ARN, 'eu-west-1');

    // Assert
    expect(record.md5OfMessageAttributes).toBe('md5-attrs');
    expect(record.messageAttributes).toStrictEqual({
      tenant: { stringValue: 'demo', stringListValues: [], binaryListValues: [], dataType: 'String' },
      count: { stringValue: '5', stringListValues: [], binaryListValues: [], dataType: 'Number.int' },
      thumb: { binaryValue: 'eHl6', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
  });

  it('passes FIFO and trace system attributes through when SQS returns them', () => {
    // Arrange
    const message = sqsMessage({
      Attributes: {
        ...sqsMessage().Attributes,
        MessageGroupId: 'g1',
        MessageDeduplicationId: 'd1',
        SequenceNumber: '00000000000000000001',
        AWSTraceHeader: 'Root=1-abc',
      },
    });

    // Act
    const { attributes } = toSqsRecord(message, QUEUE_ARN, 'eu-west-1');

    // Assert
    expect(attributes).toMatchObject({
      MessageGroupId: 'g1',
      MessageDeduplicationId: 'd1',
      SequenceNumber: '00000000000000000001',
      AWSTraceHeader: 'Root=1-abc',
    });
  });

  it('refuses a message received without system attributes', () => {
    // Arrange
    const message = sqsMessage({ Attributes: undefined });

    // Act
    const act = () => toSqsRecord(message, QUEUE_ARN, 'eu-west-1');

    // Assert
    expect(act).toThrow(/ApproximateReceiveCount/);
  });
});

describe('regionOfArn', () => {
  it('reads the region of a queue ARN', () => {
    expect(regionOfArn(QUEUE_ARN)).toBe('eu-west-1');
  });
});

describe('judgeBatchResponse', () => {
  const ids = ['a', 'b', 'c'];

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty list', { batchItemFailures: [] }],
    ['a null list', { batchItemFailures: null }],
    ['an object without batchItemFailures', {}],
  ])('treats %s as complete success', (_label, response) => {
    // Act
    const verdict = judgeBatchResponse(ids, response, true);

    // Assert
    expect(verdict).toStrictEqual({ failedIds: new Set() });
  });

  it('fails exactly the reported items', () => {
    // Act
    const verdict = judgeBatchResponse(
      ids,
      { batchItemFailures: [{ itemIdentifier: 'b' }, { itemIdentifier: 'c' }] },
      true,
    );

    // Assert
    expect(verdict).toStrictEqual({ failedIds: new Set(['b', 'c']) });
  });

  it.each([
    [
      'an unknown itemIdentifier',
      { batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'zzz' }] },
    ],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['an itemIdentifier under a wrong key', { batchItemFailures: [{ itemId: 'a' }] }],
    ['a null failure entry', { batchItemFailures: [null] }],
    ['batchItemFailures that is not a list', { batchItemFailures: 'a' }],
    ['a response that is not an object', 'ok'],
  ])('fails the whole batch for %s', (_label, response) => {
    // Act
    const verdict = judgeBatchResponse(ids, response, true);

    // Assert
    expect(verdict.failedIds).toStrictEqual(new Set(ids));
    expect(verdict.invalidResponse).toEqual(expect.any(String));
  });

  it('ignores the response without ReportBatchItemFailures', () => {
    // Act
    const verdict = judgeBatchResponse(ids, { batchItemFailures: [{ itemIdentifier: 'zzz' }] }, false);

    // Assert
    expect(verdict).toStrictEqual({ failedIds: new Set() });
  });
});
