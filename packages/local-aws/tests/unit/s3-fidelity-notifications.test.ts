import {
  eventKey,
  eventMessage,
  matchesConfiguration,
  notificationConfigurationXml,
  parseNotificationConfiguration,
  type ObjectEvent,
  type QueueNotification,
} from '../../src/s3-fidelity/notifications';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:image-uploads';

const configuration = (body: string) =>
  `<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${body}</NotificationConfiguration>`;

const originals: QueueNotification = {
  id: 'originals',
  queueArn: QUEUE_ARN,
  events: ['s3:ObjectCreated:*'],
  filterRules: [
    { name: 'prefix', value: 'tenants/' },
    { name: 'suffix', value: '/original' },
  ],
};

describe('parseNotificationConfiguration', () => {
  it('reads queue configurations with events and key filter rules', () => {
    // Arrange
    const xml = configuration(
      `<QueueConfiguration><Id>originals</Id><Queue>${QUEUE_ARN}</Queue><Event>s3:ObjectCreated:*</Event>` +
        '<Filter><S3Key><FilterRule><Name>prefix</Name><Value>tenants/</Value></FilterRule>' +
        '<FilterRule><Name>Suffix</Name><Value>/original</Value></FilterRule></S3Key></Filter></QueueConfiguration>',
    );

    // Act
    const parsed = parseNotificationConfiguration(xml);

    // Assert
    expect(parsed).toEqual([originals]);
  });

  it('round-trips through the GetBucketNotificationConfiguration document', () => {
    // Act, Assert
    expect(parseNotificationConfiguration(notificationConfigurationXml([originals]))).toEqual([originals]);
  });

  it('reads an empty configuration, which clears notifications', () => {
    // Act, Assert
    expect(parseNotificationConfiguration(configuration(''))).toEqual([]);
  });

  it.each([
    [
      'an unknown event',
      `<QueueConfiguration><Queue>${QUEUE_ARN}</Queue><Event>s3:ObjectCreated:Typo</Event></QueueConfiguration>`,
      'InvalidArgument',
    ],
    [
      'a filter rule name other than prefix/suffix',
      `<QueueConfiguration><Queue>${QUEUE_ARN}</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>contains</Name><Value>x</Value></FilterRule></S3Key></Filter></QueueConfiguration>`,
      'InvalidArgument',
    ],
    [
      'a queue that is no SQS ARN',
      '<QueueConfiguration><Queue>image-uploads</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>',
      'InvalidArgument',
    ],
    [
      'a topic, which cannot be delivered locally',
      '<TopicConfiguration><Topic>arn:aws:sns:us-east-1:000000000000:t</Topic><Event>s3:ObjectCreated:*</Event></TopicConfiguration>',
      'InvalidArgument',
    ],
    [
      'a configuration without event',
      `<QueueConfiguration><Queue>${QUEUE_ARN}</Queue></QueueConfiguration>`,
      'MalformedXML',
    ],
  ])('rejects %s with 400 %s', (_case, body, code) => {
    // Act, Assert
    expect(() => parseNotificationConfiguration(configuration(body))).toThrow(
      expect.objectContaining({ status: 400, code }),
    );
  });
});

describe('matchesConfiguration', () => {
  it.each([
    ['ObjectCreated:Put', 'tenants/t1/p1/original', true],
    ['ObjectCreated:CompleteMultipartUpload', 'tenants/t1/p1/original', true],
    ['ObjectCreated:Put', 'tenants/t1/p1/thumbnail', false],
    ['ObjectCreated:Put', 'other/t1/p1/original', false],
    ['ObjectRemoved:Delete', 'tenants/t1/p1/original', false],
  ] as const)('%s of %s -> %s', (eventName, key, expected) => {
    // Act, Assert
    expect(matchesConfiguration(originals, eventName, key)).toBe(expected);
  });

  it('matches an exact event name only', () => {
    // Arrange
    const putsOnly = { ...originals, events: ['s3:ObjectCreated:Put'], filterRules: [] };

    // Act, Assert
    expect(matchesConfiguration(putsOnly, 'ObjectCreated:Put', 'k')).toBe(true);
    expect(matchesConfiguration(putsOnly, 'ObjectCreated:Copy', 'k')).toBe(false);
  });
});

describe('eventKey', () => {
  it('URL-encodes like S3 event keys: space as +, slashes kept', () => {
    // Act, Assert
    expect(eventKey('tenants/t 1/photo (2)+ü.jpg')).toBe('tenants/t+1/photo+%282%29%2B%C3%BC.jpg');
  });
});

describe('eventMessage', () => {
  it('has the S3 event record shape', () => {
    // Arrange
    const event: ObjectEvent = {
      eventName: 'ObjectCreated:Put',
      region: 'us-east-1',
      time: new Date('2030-01-01T00:00:00Z'),
      bucket: 'photos',
      key: 'a b.jpg',
      object: { size: 42, eTag: 'abc' },
      principalId: 'AWS:pixelvaultlocal',
      sourceIp: '127.0.0.1',
      requestId: 'REQ',
      hostId: 'HOST',
      sequencer: '0001',
    };

    // Act
    const message = JSON.parse(eventMessage(event, 'originals'));

    // Assert
    expect(message).toEqual({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'us-east-1',
          eventTime: '2030-01-01T00:00:00.000Z',
          eventName: 'ObjectCreated:Put',
          userIdentity: { principalId: 'AWS:pixelvaultlocal' },
          requestParameters: { sourceIPAddress: '127.0.0.1' },
          responseElements: { 'x-amz-request-id': 'REQ', 'x-amz-id-2': 'HOST' },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'originals',
            bucket: {
              name: 'photos',
              ownerIdentity: { principalId: '000000000000' },
              arn: 'arn:aws:s3:::photos',
            },
            object: { key: 'a+b.jpg', size: 42, eTag: 'abc', sequencer: '0001' },
          },
        },
      ],
    });
  });
});
