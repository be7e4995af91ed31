import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type StreamViewType,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  type CORSRule,
  type Event as S3Event,
  type FilterRule,
  type LifecycleRule,
  type QueueConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { LOCAL_ACCOUNT_ID } from '../constants';
import { LocalAwsError } from '../errors';
import {
  dependencyOrder,
  evaluateOutputs,
  pseudoParameters,
  resolveIntrinsics,
  type CfnResource,
  type CfnTemplate,
  type PhysicalResource,
} from './cfn';

export interface ProvisionOptions {
  dynamodb: DynamoDBClient;
  s3: S3Client;
  sqs: SQSClient;
  region: string;
  /** AWS::StackName; osls names stacks `<service>-<stage>`. */
  stackName?: string;
}

/** Resource types that have no local meaning, and why; any type neither here nor provisioned is an error. */
export const SKIPPED_TYPES: Readonly<Record<string, string>> = {
  'AWS::SQS::QueuePolicy': 'resource policies are not enforced by the local stack',
  'AWS::S3::BucketPolicy': 'resource policies are not enforced by the local stack',
};

/** Resources that osls adds to every stack and that nothing local uses. */
export const SKIPPED_LOGICAL_IDS: Readonly<Record<string, string>> = {
  ServerlessDeploymentBucket: 'holds deployment artifacts; nothing is deployed locally',
};

/** Properties the local emulators cannot honour; every property neither here nor handled is an error. */
const IGNORED_PROPERTIES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'AWS::DynamoDB::Table': {
    PointInTimeRecoverySpecification: 'DynamoDB Local keeps no backups',
    SSESpecification: 'DynamoDB Local does not encrypt at rest',
  },
  'AWS::S3::Bucket': {
    PublicAccessBlockConfiguration: 'local objects are reachable only through signed requests anyway',
    BucketEncryption: 'local objects are not encrypted at rest',
    OwnershipControls: 'ACLs are not modelled locally',
  },
  'AWS::SQS::Queue': {
    SqsManagedSseEnabled: 'local queues are in memory',
  },
};

export function skipReason(logicalId: string, resource: CfnResource): string | undefined {
  return SKIPPED_LOGICAL_IDS[logicalId] ?? SKIPPED_TYPES[resource.Type];
}

type Provisioner = (
  logicalId: string,
  properties: Record<string, unknown>,
  options: ProvisionOptions,
) => Promise<PhysicalResource>;

const HANDLED_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::DynamoDB::Table': [
    'TableName',
    'BillingMode',
    'AttributeDefinitions',
    'KeySchema',
    'GlobalSecondaryIndexes',
    'StreamSpecification',
    'TimeToLiveSpecification',
  ],
  'AWS::SQS::Queue': ['QueueName', 'VisibilityTimeout', 'MessageRetentionPeriod', 'RedrivePolicy'],
  'AWS::S3::Bucket': [
    'BucketName',
    'CorsConfiguration',
    'LifecycleConfiguration',
    'NotificationConfiguration',
  ],
};

const PROVISIONERS: Readonly<Record<string, Provisioner>> = {
  'AWS::DynamoDB::Table': provisionTable,
  'AWS::SQS::Queue': provisionQueue,
  'AWS::S3::Bucket': provisionBucket,
};

/**
 * Creates the template's resources on the local emulators in dependency order and returns its evaluated Outputs.
 * Idempotent: existing tables, queues and buckets are brought up to the template (missing GSIs, stream and TTL
 * added; queue attributes and bucket configuration set again), so persisted data survives a restart.
 */
export async function provisionFromTemplate(
  template: CfnTemplate,
  options: ProvisionOptions,
): Promise<Record<string, string>> {
  const pseudo = pseudoParameters({
    accountId: LOCAL_ACCOUNT_ID,
    region: options.region,
    stackName: options.stackName ?? 'pixelvault-shared-resources-local',
  });
  const resources = new Map<string, PhysicalResource>();
  const skipped = new Set<string>();
  for (const logicalId of dependencyOrder(template)) {
    const resource = template.Resources[logicalId] as CfnResource;
    if (skipReason(logicalId, resource)) {
      skipped.add(logicalId);
      continue;
    }
    const provision = PROVISIONERS[resource.Type];
    if (!provision) {
      throw new LocalAwsError(
        `${logicalId}: resource type ${resource.Type} is not supported by the local stack; provision it in ` +
          'packages/local-aws/src/provision/provision.ts or add it to SKIPPED_TYPES with a reason.',
      );
    }
    const properties = resolveIntrinsics(resource.Properties ?? {}, { pseudo, resources }) as Record<
      string,
      unknown
    >;
    assertKnownProperties(logicalId, resource.Type, properties);
    resources.set(logicalId, await provision(logicalId, properties, options));
  }
  return evaluateOutputs(template, { pseudo, resources }, skipped);
}

function assertKnownProperties(logicalId: string, type: string, properties: Record<string, unknown>): void {
  const handled = HANDLED_PROPERTIES[type] ?? [];
  const ignored = IGNORED_PROPERTIES[type] ?? {};
  const unknown = Object.keys(properties).filter((key) => !handled.includes(key) && !(key in ignored));
  if (unknown.length > 0) {
    throw new LocalAwsError(
      `${logicalId} (${type}): properties not supported by the local stack: ${unknown.join(', ')}`,
    );
  }
}

function requiredName(logicalId: string, properties: Record<string, unknown>, key: string): string {
  const name = properties[key];
  // CloudFormation would generate a name; locally the other services could never find it.
  if (typeof name !== 'string')
    throw new LocalAwsError(`${logicalId}: ${key} must be set for the local stack`);
  return name;
}

// ---------------------------------------------------------------------------------------------------------------
// DynamoDB

interface TableProperties {
  BillingMode?: 'PAY_PER_REQUEST' | 'PROVISIONED';
  AttributeDefinitions: AttributeDefinition[];
  KeySchema: KeySchemaElement[];
  GlobalSecondaryIndexes?: GlobalSecondaryIndex[];
  StreamSpecification?: { StreamViewType: StreamViewType };
  TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
}

async function provisionTable(
  logicalId: string,
  properties: Record<string, unknown>,
  { dynamodb }: ProvisionOptions,
): Promise<PhysicalResource> {
  const TableName = requiredName(logicalId, properties, 'TableName');
  const props = properties as unknown as TableProperties;
  const StreamSpecification = props.StreamSpecification && {
    StreamEnabled: true,
    StreamViewType: props.StreamSpecification.StreamViewType,
  };
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName,
        BillingMode: props.BillingMode,
        AttributeDefinitions: props.AttributeDefinitions,
        KeySchema: props.KeySchema,
        GlobalSecondaryIndexes: props.GlobalSecondaryIndexes,
        StreamSpecification,
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  let table = await describeTable(dynamodb, TableName);

  // A persisted table from an older template: add what the template gained since (one GSI per UpdateTable call).
  const existing = new Set(table.GlobalSecondaryIndexes?.map((index) => index.IndexName));
  for (const index of props.GlobalSecondaryIndexes ?? []) {
    if (existing.has(index.IndexName)) continue;
    await dynamodb.send(
      new UpdateTableCommand({
        TableName,
        AttributeDefinitions: props.AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
  }
  if (StreamSpecification && !table.StreamSpecification?.StreamEnabled) {
    await dynamodb.send(new UpdateTableCommand({ TableName, StreamSpecification }));
  }
  table = await describeTable(dynamodb, TableName);

  const ttl = props.TimeToLiveSpecification;
  if (ttl?.Enabled) {
    const current = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName }));
    // UpdateTimeToLive fails when TTL is already enabled.
    if (current.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
      await dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName,
          TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
        }),
      );
    }
  }

  if (!table.TableArn) throw new LocalAwsError(`DynamoDB Local returned no ARN for table ${TableName}`);
  const attributes: Record<string, string> = { Arn: table.TableArn };
  if (table.LatestStreamArn) attributes.StreamArn = table.LatestStreamArn;
  return { ref: TableName, attributes };
}

async function describeTable(dynamodb: DynamoDBClient, TableName: string): Promise<TableDescription> {
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName }));
  if (!Table) throw new LocalAwsError(`DynamoDB Local returned no description of table ${TableName}`);
  return Table;
}

// ---------------------------------------------------------------------------------------------------------------
// SQS

async function provisionQueue(
  logicalId: string,
  properties: Record<string, unknown>,
  { sqs }: ProvisionOptions,
): Promise<PhysicalResource> {
  const QueueName = requiredName(logicalId, properties, 'QueueName');
  const Attributes: Record<string, string> = {};
  for (const key of ['VisibilityTimeout', 'MessageRetentionPeriod'] as const) {
    if (properties[key] !== undefined) Attributes[key] = String(properties[key]);
  }
  // CloudFormation takes the redrive policy as an object, the SQS API as a JSON string.
  if (properties.RedrivePolicy !== undefined)
    Attributes.RedrivePolicy = JSON.stringify(properties.RedrivePolicy);

  // Create bare, then set attributes: CreateQueue with differing attributes fails on an existing queue.
  const created = await sqs.send(new CreateQueueCommand({ QueueName }));
  if (!created.QueueUrl) throw new LocalAwsError(`SQS returned no URL for queue ${QueueName}`);
  const QueueUrl = await onClientEndpoint(sqs, created.QueueUrl);
  if (Object.keys(Attributes).length > 0)
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes }));
  const { Attributes: current } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = current?.QueueArn;
  if (!arn) throw new LocalAwsError(`SQS returned no ARN for queue ${QueueName}`);
  return { ref: QueueUrl, attributes: { Arn: arn, QueueName, QueueUrl } };
}

/**
 * fauxqs answers `http://sqs.<region>.localhost:<port>/<account>/<name>`: that host does not resolve here, and SDK
 * clients configured through AWS_ENDPOINT_URL_SQS (the local Lambdas) send to the queue URL's host. The same path
 * on the endpoint this client reached works everywhere (fauxqs finds queues by path). Real SQS URLs stay as they are.
 */
async function onClientEndpoint(sqs: SQSClient, queueUrl: string): Promise<string> {
  const endpoint = await sqs.config.endpoint?.();
  if (!endpoint) return queueUrl;
  const port = endpoint.port ? `:${endpoint.port}` : '';
  return `${endpoint.protocol}//${endpoint.hostname}${port}${new URL(queueUrl).pathname}`;
}

// ---------------------------------------------------------------------------------------------------------------
// S3

interface BucketProperties {
  CorsConfiguration?: {
    CorsRules: Array<{
      Id?: string;
      AllowedMethods: string[];
      AllowedOrigins: string[];
      AllowedHeaders?: string[];
      ExposedHeaders?: string[];
      MaxAge?: number;
    }>;
  };
  LifecycleConfiguration?: {
    Rules: Array<
      {
        Id?: string;
        Status: 'Enabled' | 'Disabled';
        AbortIncompleteMultipartUpload?: { DaysAfterInitiation: number };
      } & Record<string, unknown>
    >;
  };
  NotificationConfiguration?: {
    QueueConfigurations?: Array<{
      Event: S3Event;
      Queue: string;
      Filter?: { S3Key: { Rules: FilterRule[] } };
    }>;
  } & Record<string, unknown>;
}

async function provisionBucket(
  logicalId: string,
  properties: Record<string, unknown>,
  { s3 }: ProvisionOptions,
): Promise<PhysicalResource> {
  const Bucket = requiredName(logicalId, properties, 'BucketName');
  const props = properties as BucketProperties;
  try {
    await s3.send(new CreateBucketCommand({ Bucket }));
  } catch (error) {
    if ((error as Error).name !== 'BucketAlreadyOwnedByYou') throw error;
  }

  if (props.CorsConfiguration) {
    const CORSRules: CORSRule[] = props.CorsConfiguration.CorsRules.map((rule) => ({
      ID: rule.Id,
      AllowedMethods: rule.AllowedMethods,
      AllowedOrigins: rule.AllowedOrigins,
      AllowedHeaders: rule.AllowedHeaders,
      ExposeHeaders: rule.ExposedHeaders,
      MaxAgeSeconds: rule.MaxAge,
    }));
    await s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules } }));
  }

  if (props.LifecycleConfiguration) {
    const Rules: LifecycleRule[] = props.LifecycleConfiguration.Rules.map(
      ({ Id, Status, AbortIncompleteMultipartUpload, ...rest }) => {
        if (Object.keys(rest).length > 0) {
          throw new LocalAwsError(
            `${logicalId}: lifecycle rule fields not supported locally: ${Object.keys(rest).join(', ')}`,
          );
        }
        return { ID: Id, Status, Filter: { Prefix: '' }, AbortIncompleteMultipartUpload };
      },
    );
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules } }));
  }

  if (props.NotificationConfiguration) {
    const { QueueConfigurations = [], ...rest } = props.NotificationConfiguration;
    if (Object.keys(rest).length > 0) {
      throw new LocalAwsError(
        `${logicalId}: notification targets not supported locally: ${Object.keys(rest).join(', ')}`,
      );
    }
    const configurations: QueueConfiguration[] = QueueConfigurations.map((configuration) => ({
      QueueArn: configuration.Queue,
      Events: [configuration.Event],
      Filter: configuration.Filter && { Key: { FilterRules: configuration.Filter.S3Key.Rules } },
    }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket,
        NotificationConfiguration: { QueueConfigurations: configurations },
      }),
    );
  }

  return { ref: Bucket, attributes: { Arn: `arn:aws:s3:::${Bucket}` } };
}
