import path from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import {
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  HeadBucketCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { FauxqsServer } from 'fauxqs';
import { LOCAL_CREDENTIALS, LOCAL_HOST, LOCAL_REGION } from '../../src/constants';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../src/dynamodb';
import { loadSharedResourcesTemplate, type CfnTemplate } from '../../src/provision/cfn';
import { provisionFromTemplate, type ProvisionOptions } from '../../src/provision/provision';
import { startS3Fidelity, type S3Fidelity } from '../../src/s3-fidelity';
import { startFauxqs } from 'fauxqs';

const repoRoot = path.resolve(__dirname, '../../../..');

let dynamoDbLocal: DynamoDbLocal;
let fauxqs: FauxqsServer;
let s3Fidelity: S3Fidelity;
let clients: ProvisionOptions;
let template: CfnTemplate;
let outputs: Record<string, string>;

beforeAll(async () => {
  // Arrange: empty emulators (own ports, independent of the integration globalSetup) and the real template.
  [dynamoDbLocal, fauxqs, template] = await Promise.all([
    startDynamoDbLocal(),
    startFauxqs({ port: 0, logger: false, defaultRegion: LOCAL_REGION }),
    loadSharedResourcesTemplate({ stage: 'test', repoRoot }),
  ]);
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const sqsEndpoint = `http://${LOCAL_HOST}:${fauxqs.port}`;
  const sqs = new SQSClient({ ...common, endpoint: sqsEndpoint });
  s3Fidelity = await startS3Fidelity({ upstream: sqsEndpoint, sqs });
  clients = {
    region: LOCAL_REGION,
    dynamodb: new DynamoDBClient({ ...common, endpoint: dynamoDbLocal.endpoint }),
    sqs,
    s3: new S3Client({ ...common, endpoint: s3Fidelity.endpoint, forcePathStyle: true }),
  };

  // Act: the provisioning every test below inspects.
  outputs = await provisionFromTemplate(template, clients);
}, 120_000);

afterAll(async () => {
  for (const client of [clients?.dynamodb, clients?.sqs, clients?.s3]) client?.destroy();
  await Promise.all([s3Fidelity?.stop(), fauxqs?.stop(), dynamoDbLocal?.stop()]);
});

async function describeTable(TableName: string): Promise<TableDescription> {
  const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName }));
  return Table!;
}

describe('provisionFromTemplate with the shared-resources template', () => {
  it('creates the table with the three GSIs, a NEW_AND_OLD_IMAGES stream and TTL on `ttl`', async () => {
    const table = await describeTable(outputs.TableName!);
    const ttl = await clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: outputs.TableName }));

    expect(outputs.TableName).toBe('pixelvault-test');
    expect(table.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(table.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual([
      'expiry',
      'gsi1',
      'gsi2',
    ]);
    expect(table.GlobalSecondaryIndexes?.find((index) => index.IndexName === 'expiry')?.KeySchema).toEqual([
      { AttributeName: 'gsi3pk', KeyType: 'HASH' },
      { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
    ]);
    expect(table.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(table.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
    expect(outputs.TableStreamArn).toBe(table.LatestStreamArn);
  });

  it.each([
    ['PostUploadQueueUrl', 'PostUploadDlqArn'],
    ['CleanupQueueUrl', 'CleanupDlqArn'],
  ])(
    'creates %s with VisibilityTimeout 360 and a redrive to its DLQ after 3 receives',
    async (queue, dlqArn) => {
      const { Attributes } = await clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: outputs[queue],
          AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'],
        }),
      );

      expect(Attributes?.VisibilityTimeout).toBe('360');
      expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
        deadLetterTargetArn: outputs[dlqArn],
        maxReceiveCount: 3,
      });
    },
  );

  it('returns queue URLs on the SQS endpoint it was given, which resolve without any DNS trick', () => {
    const urls = ['PostUploadQueueUrl', 'PostUploadDlqUrl', 'CleanupQueueUrl', 'CleanupDlqUrl'].map(
      (name) => outputs[name],
    );

    expect(urls).toEqual([
      `http://${LOCAL_HOST}:${fauxqs.port}/000000000000/pixelvault-test-post-upload`,
      `http://${LOCAL_HOST}:${fauxqs.port}/000000000000/pixelvault-test-post-upload-dlq`,
      `http://${LOCAL_HOST}:${fauxqs.port}/000000000000/pixelvault-test-cleanup`,
      `http://${LOCAL_HOST}:${fauxqs.port}/000000000000/pixelvault-test-cleanup-dlq`,
    ]);
  });

  it('creates the bucket with CORS, the multipart abort rule and the notification to the post-upload queue', async () => {
    const Bucket = outputs.BucketName!;

    const head = await clients.s3.send(new HeadBucketCommand({ Bucket }));
    const cors = await clients.s3.send(new GetBucketCorsCommand({ Bucket }));
    const lifecycle = await clients.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
    const notification = await clients.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }));

    expect(Bucket).toBe('pixelvault-test-files-000000000000-us-east-1');
    expect(head.$metadata.httpStatusCode).toBe(200);
    expect(cors.CORSRules).toEqual([
      expect.objectContaining({
        AllowedMethods: ['PUT', 'GET', 'HEAD'],
        AllowedOrigins: ['*'],
        ExposeHeaders: ['ETag', 'x-amz-checksum-sha256'],
        MaxAgeSeconds: 3000,
      }),
    ]);
    expect(lifecycle.Rules).toEqual([
      expect.objectContaining({
        Status: 'Enabled',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      }),
    ]);
    expect(notification.QueueConfigurations).toEqual([
      expect.objectContaining({
        QueueArn: outputs.PostUploadQueueArn,
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: expect.stringMatching(/^suffix$/i), Value: '/original' }] } },
      }),
    ]);
  });

  it('is idempotent: provisioning again changes nothing and returns the same outputs', async () => {
    const again = await provisionFromTemplate(template, clients);

    expect(again).toEqual(outputs);
    expect((await describeTable(outputs.TableName!)).GlobalSecondaryIndexes).toHaveLength(3);
  });

  it('brings a persisted table from an older template up to date: missing GSIs, stream and TTL', async () => {
    const TableName = 'pixelvault-legacy';
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    const legacy: CfnTemplate = {
      Resources: {
        Table: {
          ...template.Resources.Table!,
          Properties: { ...template.Resources.Table!.Properties, TableName },
        },
      },
    };

    await provisionFromTemplate(legacy, clients);

    const table = await describeTable(TableName);
    const ttl = await clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName }));
    expect(table.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual([
      'expiry',
      'gsi1',
      'gsi2',
    ]);
    expect(table.StreamSpecification?.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
  });

  it('rejects a resource type it neither provisions nor knowingly skips, naming it', async () => {
    const unknown: CfnTemplate = {
      Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 't' } } },
    };

    await expect(provisionFromTemplate(unknown, clients)).rejects.toThrow(
      /Topic: resource type AWS::SNS::Topic is not supported/,
    );
  });
});
