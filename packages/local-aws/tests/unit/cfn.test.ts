import path from 'node:path';
import {
  dependencyOrder,
  evaluateOutputs,
  loadSharedResourcesTemplate,
  pseudoParameters,
  resolveIntrinsics,
  type CfnTemplate,
  type PhysicalResource,
  type ResolveContext,
} from '../../src/provision/cfn';
import { skipReason } from '../../src/provision/provision';

const repoRoot = path.resolve(__dirname, '../../../..');
const pseudo = pseudoParameters({ accountId: '000000000000', region: 'us-east-1', stackName: 'demo-local' });
const queueUrl = (name: string) => `http://127.0.0.1:4566/000000000000/${name}`;
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

function context(resources: Record<string, PhysicalResource> = {}): ResolveContext {
  return { pseudo, resources: new Map(Object.entries(resources)) };
}

describe('resolveIntrinsics', () => {
  const ctx = context({
    Queue: { ref: queueUrl('jobs'), attributes: { Arn: queueArn('jobs') } },
    Table: { ref: 'demo', attributes: { Arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/demo' } },
  });

  it('resolves Ref to pseudo parameters and to resources', () => {
    const value = {
      region: { Ref: 'AWS::Region' },
      url: { Ref: 'Queue' },
      partition: { Ref: 'AWS::Partition' },
    };

    const resolved = resolveIntrinsics(value, ctx);

    expect(resolved).toEqual({ region: 'us-east-1', url: queueUrl('jobs'), partition: 'aws' });
  });

  it('resolves Fn::GetAtt in its array and its dotted form', () => {
    const value = [{ 'Fn::GetAtt': ['Queue', 'Arn'] }, { 'Fn::GetAtt': 'Table.Arn' }];

    const resolved = resolveIntrinsics(value, ctx);

    expect(resolved).toEqual([queueArn('jobs'), 'arn:aws:dynamodb:us-east-1:000000000000:table/demo']);
  });

  it('resolves Fn::Sub with pseudo parameters, attributes, variables and escaped placeholders', () => {
    const plain = {
      'Fn::Sub': 'b-${AWS::AccountId}-${AWS::Region}-${AWS::StackName} ${Queue.Arn} ${!Literal}',
    };
    const withVariables = { 'Fn::Sub': ['${Name}@${Table}', { Name: { 'Fn::GetAtt': ['Queue', 'Arn'] } }] };

    const resolved = resolveIntrinsics([plain, withVariables], ctx);

    expect(resolved).toEqual([
      `b-000000000000-us-east-1-demo-local ${queueArn('jobs')} \${Literal}`,
      `${queueArn('jobs')}@demo`,
    ]);
  });

  it('resolves Fn::Join, Fn::Select and Fn::Split, also nested', () => {
    const value = {
      joined: { 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 's3']] },
      selected: { 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] },
      split: { 'Fn::Split': [',', 'https://a.example,https://b.example'] },
    };

    const resolved = resolveIntrinsics(value, ctx);

    expect(resolved).toEqual({
      joined: 'arn:aws:s3',
      selected: 'b',
      split: ['https://a.example', 'https://b.example'],
    });
  });

  it('names what it cannot resolve', () => {
    const unknownFunction = { 'Fn::ImportValue': 'x' };
    const unknownResource = { Ref: 'Missing' };
    const unknownAttribute = { 'Fn::GetAtt': ['Queue', 'QueueOwner'] };

    const attempts = [unknownFunction, unknownResource, unknownAttribute].map(
      (value) => () => resolveIntrinsics(value, ctx),
    );

    expect(attempts[0]).toThrow(/Fn::ImportValue is not supported/);
    expect(attempts[1]).toThrow(/Ref to Missing/);
    expect(attempts[2]).toThrow(/Queue\.QueueOwner/);
  });
});

describe('dependencyOrder', () => {
  it('puts every resource after what it refers to, through Ref, GetAtt, Sub and DependsOn', () => {
    const template: CfnTemplate = {
      Resources: {
        Bucket: {
          Type: 'AWS::S3::Bucket',
          DependsOn: 'Policy',
          Properties: { Notification: { 'Fn::GetAtt': ['Queue', 'Arn'] } },
        },
        Policy: { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [{ Ref: 'Queue' }] } },
        Queue: {
          Type: 'AWS::SQS::Queue',
          Properties: { Redrive: { 'Fn::Sub': '${Dlq.Arn} in ${AWS::Region}' } },
        },
        Dlq: { Type: 'AWS::SQS::Queue' },
      },
    };

    const order = dependencyOrder(template);

    expect(order).toEqual(['Dlq', 'Queue', 'Policy', 'Bucket']);
  });

  it('rejects a cycle and a reference to a resource that does not exist', () => {
    const cyclic: CfnTemplate = {
      Resources: { A: { Type: 'T', Properties: { x: { Ref: 'B' } } }, B: { Type: 'T', DependsOn: ['A'] } },
    };
    const dangling: CfnTemplate = {
      Resources: { A: { Type: 'T', Properties: { x: { 'Fn::Sub': '${Ghost}' } } } },
    };

    const attempts = [cyclic, dangling].map((template) => () => dependencyOrder(template));

    expect(attempts[0]).toThrow(/circular dependency A -> B -> A/);
    expect(attempts[1]).toThrow(/A refers to Ghost/);
  });
});

describe('evaluateOutputs', () => {
  it('evaluates every output, leaving out those of skipped resources', () => {
    const template: CfnTemplate = {
      Resources: { Queue: { Type: 'AWS::SQS::Queue' }, DeploymentBucket: { Type: 'AWS::S3::Bucket' } },
      Outputs: {
        QueueUrl: { Value: { Ref: 'Queue' } },
        QueueArn: { Value: { 'Fn::GetAtt': ['Queue', 'Arn'] } },
        DeploymentBucketName: { Value: { Ref: 'DeploymentBucket' } },
      },
    };
    const ctx = context({ Queue: { ref: queueUrl('jobs'), attributes: { Arn: queueArn('jobs') } } });

    const outputs = evaluateOutputs(template, ctx, new Set(['DeploymentBucket']));

    expect(outputs).toEqual({ QueueUrl: queueUrl('jobs'), QueueArn: queueArn('jobs') });
  });
});

describe('the shared-resources template', () => {
  let template: CfnTemplate;
  beforeAll(async () => {
    template = await loadSharedResourcesTemplate({ stage: 'test', repoRoot });
  }, 60_000);

  /** What provisioning would record, computed from each resource's resolved properties in dependency order. */
  function fakeProvision(): Map<string, PhysicalResource> {
    const resources = new Map<string, PhysicalResource>();
    for (const id of dependencyOrder(template)) {
      const resource = template.Resources[id]!;
      if (skipReason(id, resource)) continue;
      const props = resolveIntrinsics(resource.Properties, { pseudo, resources }) as Record<string, string>;
      if (resource.Type === 'AWS::DynamoDB::Table') {
        const arn = `arn:aws:dynamodb:us-east-1:000000000000:table/${props.TableName}`;
        resources.set(id, {
          ref: props.TableName!,
          attributes: { Arn: arn, StreamArn: `${arn}/stream/label` },
        });
      } else if (resource.Type === 'AWS::SQS::Queue') {
        resources.set(id, {
          ref: queueUrl(props.QueueName!),
          attributes: { Arn: queueArn(props.QueueName!) },
        });
      } else {
        resources.set(id, {
          ref: props.BucketName!,
          attributes: { Arn: `arn:aws:s3:::${props.BucketName}` },
        });
      }
    }
    return resources;
  }

  it('evaluates to exactly the outputs the function services depend on', () => {
    const resources = fakeProvision();
    const skipped = new Set(
      Object.keys(template.Resources).filter((id) => skipReason(id, template.Resources[id]!)),
    );

    const outputs = evaluateOutputs(template, { pseudo, resources }, skipped);

    const table = 'arn:aws:dynamodb:us-east-1:000000000000:table/pixelvault-test';
    const bucket = 'pixelvault-test-files-000000000000-us-east-1';
    expect(outputs).toEqual({
      TableName: 'pixelvault-test',
      TableArn: table,
      TableStreamArn: `${table}/stream/label`,
      BucketName: bucket,
      BucketArn: `arn:aws:s3:::${bucket}`,
      PostUploadQueueUrl: queueUrl('pixelvault-test-post-upload'),
      PostUploadQueueArn: queueArn('pixelvault-test-post-upload'),
      PostUploadDlqUrl: queueUrl('pixelvault-test-post-upload-dlq'),
      PostUploadDlqArn: queueArn('pixelvault-test-post-upload-dlq'),
      CleanupQueueUrl: queueUrl('pixelvault-test-cleanup'),
      CleanupQueueArn: queueArn('pixelvault-test-cleanup'),
      CleanupDlqUrl: queueUrl('pixelvault-test-cleanup-dlq'),
      CleanupDlqArn: queueArn('pixelvault-test-cleanup-dlq'),
    });
  });

  it('orders each dead-letter queue before its queue, and the queue policy before the bucket', () => {
    const order = dependencyOrder(template);

    const before = (a: string, b: string) => order.indexOf(a) < order.indexOf(b);
    expect(before('PostUploadDlq', 'PostUploadQueue')).toBe(true);
    expect(before('CleanupDlq', 'CleanupQueue')).toBe(true);
    expect(before('PostUploadQueuePolicy', 'Bucket')).toBe(true);
  });

  it('resolves the redrive policy and the bucket notification to the local ARNs', () => {
    const resources = fakeProvision();

    const queue = resolveIntrinsics(template.Resources.PostUploadQueue!.Properties, { pseudo, resources });
    const bucket = resolveIntrinsics(template.Resources.Bucket!.Properties, { pseudo, resources });

    expect(queue).toMatchObject({
      RedrivePolicy: { deadLetterTargetArn: queueArn('pixelvault-test-post-upload-dlq'), maxReceiveCount: 3 },
    });
    expect(bucket).toMatchObject({
      NotificationConfiguration: {
        QueueConfigurations: [{ Queue: queueArn('pixelvault-test-post-upload') }],
      },
    });
  });
});
