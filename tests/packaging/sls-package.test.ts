import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import {
  packageService,
  type CfnResource,
  type CfnTemplate,
} from '../../packages/local-aws/src/provision/cfn';
import { serviceParams } from '../../packages/local-aws/src/provision/compose-params';

/**
 * `sls package` of the real services, asserted on the compiled CloudFormation. Every run gets its own isolated
 * service directory and output folder (see packageService), so all of them package concurrently.
 * To cover a function service, add a run with the params serverless-compose would pass (serviceParams in
 * packages/local-aws/src/provision/compose-params.ts maps stack outputs to them) and a describe block.
 */
const repoRoot = path.resolve(__dirname, '../..');

interface PackagingRun {
  service: string;
  stage: string;
  params?: Record<string, string>;
}

const FUNCTION_SERVICES = ['auth-service', 'file-service', 'project-service', 'scheduler-service'] as const;
const SHARED_OUTPUTS = [
  'TableName',
  'TableArn',
  'TableStreamArn',
  'BucketName',
  'BucketArn',
  'PostUploadQueueUrl',
  'PostUploadQueueArn',
  'PostUploadDlqUrl',
  'PostUploadDlqArn',
  'CleanupQueueUrl',
  'CleanupQueueArn',
  'CleanupDlqUrl',
  'CleanupDlqArn',
];

/** What compose would pass a function service after deploying shared-resources in an AWS account. */
function composeParams(service: string, stage: string): Record<string, string> {
  const outputs = Object.fromEntries(
    SHARED_OUTPUTS.map((name) => {
      const resource = name.replace(/(Name|Arn|Url|StreamArn)$/, '');
      if (name.endsWith('Url'))
        return [name, `https://sqs.eu-central-1.amazonaws.com/123456789012/${stage}-${resource}`];
      if (name.endsWith('Arn')) return [name, `arn:aws:sqs:eu-central-1:123456789012:${stage}-${resource}`];
      return [name, `pixelvault-${stage}-${resource.toLowerCase()}`];
    }),
  );
  return serviceParams(service, outputs, repoRoot);
}

const RUNS: readonly PackagingRun[] = [
  { service: 'shared-resources', stage: 'dev' },
  { service: 'shared-resources', stage: 'local' },
  {
    service: 'shared-resources',
    stage: 'prod',
    params: { corsOrigins: 'https://editor.example,https://shop.example' },
  },
  ...FUNCTION_SERVICES.flatMap((service) =>
    ['dev', 'local'].map((stage) => ({ service, stage, params: composeParams(service, stage) })),
  ),
];

const key = (run: PackagingRun) => `${run.service}@${run.stage}`;
const templates = new Map<string, CfnTemplate>();
let outRoot: string;

const outDirOf = (service: string, stage: string) => path.join(outRoot, `${service}@${stage}`);

beforeAll(async () => {
  outRoot = await mkdtemp(path.join(tmpdir(), 'pixelvault-packaging-'));
  await Promise.all(
    RUNS.map(async (run) => {
      const outDir = outDirOf(run.service, run.stage);
      templates.set(key(run), await packageService({ repoRoot, ...run, outDir }));
    }),
  );
}, 180_000);

afterAll(async () => {
  if (outRoot) await rm(outRoot, { recursive: true, force: true });
});

function packaged(service: string, stage: string): CfnTemplate {
  const template = templates.get(`${service}@${stage}`);
  if (!template) throw new Error(`${service}@${stage} is not in RUNS`);
  return template;
}

function resource(
  template: CfnTemplate,
  logicalId: string,
  type: string,
): CfnResource & { Properties: Record<string, unknown> } {
  const found = template.Resources[logicalId];
  expect(found?.Type).toBe(type);
  return found as CfnResource & { Properties: Record<string, unknown> };
}

const keySchema = (hash: string, range: string) => [
  { AttributeName: hash, KeyType: 'HASH' },
  { AttributeName: range, KeyType: 'RANGE' },
];

describe.each(['dev', 'local'])('shared-resources packaged for stage %s', (stage) => {
  const prefix = `pixelvault-${stage}`;
  let template: CfnTemplate;
  beforeAll(() => {
    template = packaged('shared-resources', stage);
  });

  it('has the one table: pk/sk, three overloaded GSIs, TTL, stream, on-demand, PITR, SSE, retained', () => {
    const table = resource(template, 'Table', 'AWS::DynamoDB::Table');

    expect(table).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(table.Properties).toMatchObject({
      TableName: prefix,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: keySchema('pk', 'sk'),
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(table.Properties.AttributeDefinitions).toEqual(
      ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'].map((name) => ({
        AttributeName: name,
        AttributeType: 'S',
      })),
    );
    expect(table.Properties.GlobalSecondaryIndexes).toEqual([
      { IndexName: 'gsi1', KeySchema: keySchema('gsi1pk', 'gsi1sk'), Projection: { ProjectionType: 'ALL' } },
      { IndexName: 'gsi2', KeySchema: keySchema('gsi2pk', 'gsi2sk'), Projection: { ProjectionType: 'ALL' } },
      {
        IndexName: 'expiry',
        KeySchema: keySchema('gsi3pk', 'gsi3sk'),
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
  });

  it('has a private, encrypted, retained bucket named per account, region and stage, created after the queue policy', () => {
    const bucket = resource(template, 'Bucket', 'AWS::S3::Bucket');

    expect(bucket).toMatchObject({ DeletionPolicy: 'Retain', DependsOn: ['PostUploadQueuePolicy'] });
    expect(bucket.Properties).toMatchObject({
      BucketName: { 'Fn::Sub': `${prefix}-files-\${AWS::AccountId}-\${AWS::Region}` },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  it('lets browsers PUT/GET/HEAD with checksums, aborts stale multipart uploads and notifies the post-upload queue of originals', () => {
    const { Properties } = resource(template, 'Bucket', 'AWS::S3::Bucket');

    expect(Properties.CorsConfiguration).toEqual({
      CorsRules: [
        {
          AllowedMethods: ['PUT', 'GET', 'HEAD'],
          AllowedOrigins: { 'Fn::Split': [',', '*'] },
          AllowedHeaders: ['*'],
          ExposedHeaders: ['ETag', 'x-amz-checksum-sha256'],
          MaxAge: 3000,
        },
      ],
    });
    expect(Properties.LifecycleConfiguration).toEqual({
      Rules: [
        expect.objectContaining({
          Status: 'Enabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        }),
      ],
    });
    expect(Properties.NotificationConfiguration).toEqual({
      QueueConfigurations: [
        {
          Event: 's3:ObjectCreated:*',
          Queue: { 'Fn::GetAtt': ['PostUploadQueue', 'Arn'] },
          Filter: { S3Key: { Rules: [{ Name: 'suffix', Value: '/original' }] } },
        },
      ],
    });
  });

  it.each([
    ['PostUploadQueue', 'PostUploadDlq', 'post-upload'],
    ['CleanupQueue', 'CleanupDlq', 'cleanup'],
  ])(
    'has %s with SSE, a 360 s visibility timeout and a redrive to %s after 3 receives',
    (queueId, dlqId, name) => {
      const queue = resource(template, queueId, 'AWS::SQS::Queue');
      const dlq = resource(template, dlqId, 'AWS::SQS::Queue');

      expect(queue.Properties).toEqual({
        QueueName: `${prefix}-${name}`,
        VisibilityTimeout: 360,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 3 },
      });
      expect(dlq.Properties).toEqual({
        QueueName: `${prefix}-${name}-dlq`,
        MessageRetentionPeriod: 1209600,
        SqsManagedSseEnabled: true,
      });
    },
  );

  it('lets only S3 of this account and bucket send to the post-upload queue, without a cycle through the bucket', () => {
    const policy = resource(template, 'PostUploadQueuePolicy', 'AWS::SQS::QueuePolicy');

    expect(policy.Properties).toEqual({
      Queues: [{ Ref: 'PostUploadQueue' }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          expect.objectContaining({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: { 'Fn::GetAtt': ['PostUploadQueue', 'Arn'] },
            Condition: {
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Sub': `arn:\${AWS::Partition}:s3:::${prefix}-files-\${AWS::AccountId}-\${AWS::Region}`,
                },
              },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ],
      },
    });
  });

  it('outputs every name and ARN the function services take as params', () => {
    const outputs = template.Outputs ?? {};

    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(SHARED_OUTPUTS));
    expect(outputs.TableStreamArn?.Value).toEqual({ 'Fn::GetAtt': ['Table', 'StreamArn'] });
    expect(outputs.PostUploadQueueUrl?.Value).toEqual({ Ref: 'PostUploadQueue' });
    expect(outputs.BucketArn?.Value).toEqual({ 'Fn::GetAtt': ['Bucket', 'Arn'] });
  });
});

describe('shared-resources params', () => {
  it('takes the CORS origins from --param corsOrigins, comma-separated', () => {
    const template = packaged('shared-resources', 'prod');

    const { Properties } = resource(template, 'Bucket', 'AWS::S3::Bucket');

    expect(Properties.CorsConfiguration).toMatchObject({
      CorsRules: [{ AllowedOrigins: { 'Fn::Split': [',', 'https://editor.example,https://shop.example'] } }],
    });
  });
});

describe.each(
  FUNCTION_SERVICES.flatMap((service) => ['dev', 'local'].map((stage) => [service, stage] as const)),
)('%s packaged for stage %s', (service, stage) => {
  const basePath = {
    'auth-service': 'auth',
    'file-service': 'files',
    'project-service': 'projects',
    'scheduler-service': 'scheduler',
  }[service];
  let template: CfnTemplate;
  beforeAll(() => {
    template = packaged(service, stage);
  });

  it('runs its health function on nodejs22.x arm64 with the table from shared-resources', () => {
    const health = resource(template, 'HealthLambdaFunction', 'AWS::Lambda::Function');

    expect(health.Properties).toMatchObject({
      FunctionName: `pixelvault-${service}-${stage}-health`,
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'src/handlers/health.handler',
      Environment: {
        Variables: {
          TABLE_NAME: `pixelvault-${stage}-table`,
          POWERTOOLS_SERVICE_NAME: `pixelvault-${service}`,
        },
      },
    });
  });

  it(`serves GET /v1/${basePath}/health through its REST API`, () => {
    const methods = Object.values(template.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
    const pathParts = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::ApiGateway::Resource')
      .map((r) => (r.Properties as { PathPart: string }).PathPart);

    expect(methods.map((m) => (m.Properties as { HttpMethod: string }).HttpMethod)).toContain('GET');
    expect(pathParts).toEqual(expect.arrayContaining(['v1', basePath, 'health']));
  });

  it('may touch only the shared table and its indexes', () => {
    const role = resource(template, 'IamRoleLambdaExecution', 'AWS::IAM::Role');
    const statements = JSON.stringify(role.Properties);

    expect(statements).toContain(`arn:aws:sqs:eu-central-1:123456789012:${stage}-Table/index/*`);
    expect(statements).not.toContain('"Resource":"*"');
  });

  it('ships a minified bundle with its source map, not the sources', async () => {
    const zip = await readFile(path.join(outDirOf(service, stage), 'health.zip'));

    expect(zip.includes('src/handlers/health.js')).toBe(true);
    expect(zip.includes('src/handlers/health.js.map')).toBe(true);
    expect(zip.includes('src/handlers/health.ts')).toBe(false);
    expect(zip.length).toBeLessThan(200_000);
  });
});

describe('scheduler-service jobs', () => {
  it.each(['dev', 'local'])(
    'schedules reportQueueDepths every 5 minutes on %s, reading only the four queues',
    (stage) => {
      const template = packaged('scheduler-service', stage);
      const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
      const policy = resource(template, 'QueueStatsPolicy', 'AWS::IAM::Policy');

      expect(rules.map((r) => (r.Properties as { ScheduleExpression: string }).ScheduleExpression)).toEqual([
        'rate(5 minutes)',
        'rate(1 hour)',
      ]);
      expect(policy.Properties.PolicyDocument).toMatchObject({
        Statement: [
          {
            Action: 'sqs:GetQueueAttributes',
            Resource: ['PostUploadQueue', 'PostUploadDlq', 'CleanupQueue', 'CleanupDlq'].map(
              (queue) => `arn:aws:sqs:eu-central-1:123456789012:${stage}-${queue}`,
            ),
          },
        ],
      });
    },
  );
});

describe.each(['dev', 'local'])('scheduler-service cleanup on %s', (stage) => {
  it('feeds the cleanup worker ten messages at a time with partial batch failures, and lets it delete objects', () => {
    const template = packaged('scheduler-service', stage);
    const mapping = Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::Lambda::EventSourceMapping',
    );
    const policy = resource(template, 'CleanupPolicy', 'AWS::IAM::Policy');
    const worker = resource(template, 'CleanUpLambdaFunction', 'AWS::Lambda::Function');

    expect(mapping?.Properties).toMatchObject({
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 20 },
    });
    expect(JSON.stringify(mapping?.Properties)).toContain(`${stage}-CleanupQueue`);
    expect(worker.Properties).toMatchObject({ Timeout: 60 });
    expect(JSON.stringify(policy.Properties)).toContain('s3:DeleteObject');
  });
});

describe.each(['dev', 'local'])('auth-service API protection on %s', (stage) => {
  const methods = (template: CfnTemplate) =>
    Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::ApiGateway::Method');

  it('makes partner routes need the partner API key, under a usage plan with throttle and quota', () => {
    const template = packaged('auth-service', stage);
    const keyRequired = methods(template)
      .filter(([, r]) => (r.Properties as { ApiKeyRequired?: boolean }).ApiKeyRequired)
      .map(([id]) => id);
    const plan = Object.values(template.Resources).find((r) => r.Type === 'AWS::ApiGateway::UsagePlan');

    expect(keyRequired.sort()).toEqual([
      'ApiGatewayMethodV1AuthSessionsSessionidVarClaimPost',
      'ApiGatewayMethodV1AuthTokenPost',
      'ApiGatewayMethodV1AuthUsersUseridVarEraseGet',
      'ApiGatewayMethodV1AuthUsersUseridVarErasePost',
    ]);
    expect(plan?.Properties).toMatchObject({
      Throttle: { BurstLimit: 200, RateLimit: 100 },
      Quota: { Limit: 1000000, Period: 'DAY' },
    });
  });

  it('guards protected routes with the uncached TOKEN authorizer', () => {
    const template = packaged('auth-service', stage);
    const authorizer = resource(template, 'AuthorizerApiGatewayAuthorizer', 'AWS::ApiGateway::Authorizer');
    const guarded = methods(template)
      .filter(([, r]) => (r.Properties as { AuthorizationType: string }).AuthorizationType === 'CUSTOM')
      .map(([id]) => id);

    expect(authorizer.Properties).toMatchObject({
      Type: 'TOKEN',
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: 'method.request.header.Authorization',
    });
    expect(guarded.sort()).toEqual([
      'ApiGatewayMethodV1AuthSessionsCurrentDelete',
      'ApiGatewayMethodV1AuthSessionsSessionidVarClaimPost',
      'ApiGatewayMethodV1AuthUploadDashlinksPost',
      'ApiGatewayMethodV1AuthUsersUseridVarEraseGet',
      'ApiGatewayMethodV1AuthUsersUseridVarErasePost',
    ]);
  });

  it.each(FUNCTION_SERVICES)('%s answers API Gateway refusals in the API error shape', (service) => {
    const template = packaged(service, stage);
    const types = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::ApiGateway::GatewayResponse')
      .map((r) => (r.Properties as { ResponseType: string }).ResponseType);

    expect(types.sort()).toEqual([
      'ACCESS_DENIED',
      'DEFAULT_4XX',
      'DEFAULT_5XX',
      'INVALID_API_KEY',
      'REQUEST_TOO_LARGE',
      'THROTTLED',
      'UNAUTHORIZED',
    ]);
  });
});

describe.each(['dev', 'local'])('file-service processor packaged for stage %s', (stage) => {
  let template: CfnTemplate;
  beforeAll(() => {
    template = packaged('file-service', stage);
  });

  it('feeds the processor ten records at a time with partial batch failures and a concurrency cap', () => {
    const mappings = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::EventSourceMapping',
    );
    const onQueue = (queue: string) =>
      mappings.find((m) => (m.Properties as { EventSourceArn: string }).EventSourceArn.endsWith(queue));

    expect(onQueue(`${stage}-PostUploadQueue`)?.Properties).toMatchObject({
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 50 },
    });
    expect(onQueue(`${stage}-PostUploadDlq`)?.Properties).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('runs the processor with its decoders (sharp, libheif) from the layer, not from the bundle', async () => {
    const processor = resource(template, 'ProcessUploadsLambdaFunction', 'AWS::Lambda::Function');
    const zip = await readFile(path.join(outDirOf('file-service', stage), 'processUploads.zip'));

    expect(processor.Properties).toMatchObject({
      MemorySize: 2048,
      Timeout: 60,
      Layers: [expect.stringMatching(/^arn:aws:lambda:[\w-]+:\d{12}:layer:[\w-]+:\d+$/)],
    });
    expect(zip.includes('libvips')).toBe(false);
    expect(zip.includes('libheif')).toBe(false);
    expect(zip.length).toBeLessThan(1_500_000);
  });
});

describe.each(['dev', 'local'])('file-service routes on %s', (stage) => {
  it('guards every route but health with the TOKEN authorizer, download and delete included', () => {
    const template = packaged('file-service', stage);
    const methods = Object.entries(template.Resources).filter(
      ([, r]) => r.Type === 'AWS::ApiGateway::Method',
    );
    const unguarded = methods
      .filter(([, r]) => (r.Properties as { AuthorizationType: string }).AuthorizationType !== 'CUSTOM')
      .map(([id]) => id);

    expect(unguarded).toEqual(['ApiGatewayMethodV1FilesHealthGet']);
    expect(methods.map(([id]) => id)).toEqual(
      expect.arrayContaining([
        'ApiGatewayMethodV1FilesIdVarDownloadGet',
        'ApiGatewayMethodV1FilesIdVarDelete',
      ]),
    );
  });

  it('gives delete the bucket and the events queue', () => {
    const template = packaged('file-service', stage);
    const deleteFile = resource(template, 'DeleteFileLambdaFunction', 'AWS::Lambda::Function');

    expect(deleteFile.Properties).toMatchObject({
      Environment: {
        Variables: {
          BUCKET_NAME: `pixelvault-${stage}-bucket`,
          EVENTS_QUEUE_URL: `https://sqs.eu-central-1.amazonaws.com/123456789012/${stage}-CleanupQueue`,
        },
      },
    });
  });
});
