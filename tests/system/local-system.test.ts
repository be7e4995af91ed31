import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  invokeOffline,
  LOCAL_CREDENTIALS,
  scheduledEvent,
  STATS_PATH,
  type SystemStats,
  type TriggerStats,
} from '@pixelvault/local-aws';
import { newUpload, processedFile, uploadFile } from '../helpers/files';
import { createTestTenant, guestSession } from '../helpers/identity';
import { testSystem } from '../helpers/system';

describe('the local system behind one origin', () => {
  const system = testSystem();

  it.each([
    ['/v1/auth/health', 'auth-service'],
    ['/v1/files/health', 'file-service'],
    ['/v1/projects/health', 'project-service'],
    ['/v1/scheduler/health', 'scheduler-service'],
  ])('routes %s to %s through serverless-offline', async (route, service) => {
    // Act
    const response = await fetch(`${system.url}${route}`);
    // Assert
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', service });
  });

  it('answers a path no service owns with a 404 in the API error shape', async () => {
    // Act
    const response = await fetch(`${system.url}/v1/filesystem/health`);
    // Assert
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'not_found', message: 'No API is mapped to this path' },
    });
  });

  it('runs a scheduled job on demand with the injected time, against the provisioned queues', async () => {
    // Arrange: one message waiting in the cleanup dead-letter queue, which no function consumes (the post-upload
    // one feeds processingFailed, which would take the message before the job counts it)
    const sqs = new SQSClient({
      endpoint: system.endpoints.sqs,
      region: system.region,
      credentials: LOCAL_CREDENTIALS,
    });
    const dlqUrl = system.outputs.CleanupDlqUrl!;
    await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: '{"poison":true}' }));
    const job = system.jobs.find((candidate) => candidate.name === 'reportQueueDepths')!;
    const now = new Date('2031-01-02T03:04:05Z');

    // Act
    const report = (await invokeOffline(
      job.lambdaUrl,
      job.functionName,
      scheduledEvent(system.region, now),
    )) as {
      at: string;
      attention: string[];
      queues: Array<{ queue: string; visible: number }>;
    };

    // Assert
    expect(report.at).toBe(now.toISOString());
    expect(report.attention).toEqual([dlqUrl.split('/').pop()]);
    expect(report.queues).toHaveLength(4);

    // Leave the queue as it was for other tests
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }),
    );
    for (const message of Messages) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle }));
    }
    sqs.destroy();
  });
});

describe('counts of the local system', () => {
  const system = testSystem();

  async function processorStats(): Promise<TriggerStats> {
    const response = await fetch(`${system.url}${STATS_PATH}`);
    expect(response.status).toBe(200);
    const stats = (await response.json()) as SystemStats;
    const processor = stats.sqsTriggers.find(({ functionName }) => functionName.endsWith('-processUploads'));
    if (!processor) throw new Error(`no processUploads trigger in ${JSON.stringify(stats)}`);
    return processor;
  }

  it("serves each SQS trigger's invocations and records, which grow as the processor takes an upload", async () => {
    // Arrange
    const { accessToken } = await guestSession(await createTestTenant());
    const before = await processorStats();

    // Act
    const { file } = await uploadFile(accessToken, newUpload(2048).bytes);
    await processedFile(accessToken, file.id);
    const after = await processorStats();

    // Assert: other test files share the system, so their uploads may add more.
    expect(after).toMatchObject({ queueArn: expect.stringMatching(/^arn:aws:sqs:.+-post-upload$/) });
    expect(after.invocations).toBeGreaterThan(before.invocations);
    expect(after.records).toBeGreaterThan(before.records);
    expect(after.lastInvocationEndedAt).toBeGreaterThanOrEqual(after.firstInvocationAt!);
  });
});

describe('API Gateway answers of the local origin', () => {
  const system = testSystem();

  it('refuses a protected route without a token with the 401 Gateway Response every service deploys', async () => {
    // Act
    const response = await fetch(`${system.url}/v1/auth/upload-links`, { method: 'POST' });
    // Assert
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { code: 'unauthorized', message: 'Missing or invalid token' },
    });
  });

  it('refuses a partner route without the partner API key with 403 invalid_api_key', async () => {
    // Act
    const response = await fetch(`${system.url}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=nobody&client_secret=x',
    });
    // Assert
    expect(response.status).toBe(403);
    expect((await response.json()) as unknown).toMatchObject({ error: { code: 'invalid_api_key' } });
  });
});
