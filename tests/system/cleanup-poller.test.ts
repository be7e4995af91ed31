import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { fileObjectKey, FILE_OBJECTS } from '@pixelvault/core/src/entities';
import { describeSystem, startSystem, type LocalSystem, type TriggerStats } from '@pixelvault/local-aws';
import { jpegImage } from '../../services/file-service/tests/helpers/images';
import { objectBytes, processedFile, uploadFile } from '../helpers/files';
import { createTestTenant, guestSession } from '../helpers/identity';
import { systemDb } from '../helpers/system';

const HOUR = 3600 * 1000;

/**
 * The integration run's shared system leaves the cleanup queue to the tests (they read its events and invoke the
 * worker themselves). This file starts a system of its own whose cleanup queue is polled as in AWS, and points the
 * helpers at it, so only the queue's event source mapping drives the worker here.
 */
describe('the cleanup worker driven by its queue', () => {
  let system: LocalSystem;
  const sharedSystem = process.env.PIXELVAULT_SYSTEM;

  beforeAll(async () => {
    system = await startSystem({
      repoRoot: path.resolve(__dirname, '../..'),
      stage: 'test',
      buildDir: '.esbuild-polled',
      retryDelaySeconds: 1,
      params: {
        signingKeysDir: mkdtempSync(path.join(tmpdir(), 'pixelvault-keys-')),
        partnerApiKey: `test-partner-key-${randomBytes(8).toString('hex')}`,
      },
    });
    process.env.PIXELVAULT_SYSTEM = JSON.stringify(describeSystem(system));
  }, 180_000);

  afterAll(async () => {
    process.env.PIXELVAULT_SYSTEM = sharedSystem;
    await system?.stop();
  });

  const cleanupTrigger = (): TriggerStats =>
    system.stats().sqsTriggers.find(({ functionName }) => functionName.endsWith('-cleanUp'))!;

  it("removes a guest's expired files, items and objects, from the job's messages alone", async () => {
    // Arrange: two processed photos of a guest, which go with the session
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const owner = `session#${guest.sessionId}`;
    const files = await Promise.all(
      [1, 2].map(async () => (await uploadFile(guest.accessToken, await jpegImage())).file),
    );
    await Promise.all(files.map((file) => processedFile(guest.accessToken, file.id)));
    const keys = files.flatMap((file) =>
      FILE_OBJECTS.map((object) =>
        fileObjectKey({ tenantId: tenant.tenantId, owner, fileId: file.id }, object),
      ),
    );
    const held = async () => (await Promise.all(keys.map(objectBytes))).filter(Boolean).length;
    const item = async (fileId: string) =>
      (await systemDb().entities.file.get({ tenantId: tenant.tenantId, fileId }).go({ consistent: true }))
        .data;
    const heldBefore = await held();
    const { expiresAt } = (await item(files[0]!.id))!;
    await system.idle();
    const before = cleanupTrigger();

    // Act: the hourly job runs after the session's end; then only the poller acts
    const report = (await system.runJob('expireFiles', new Date(Date.parse(expiresAt!) + HOUR))) as {
      found: number;
    };
    await system.idle();

    // Assert
    expect(heldBefore).toBe(6);
    expect(report.found).toBeGreaterThanOrEqual(2);
    expect(await Promise.all(files.map((file) => item(file.id)))).toEqual([null, null]);
    expect(await held()).toBe(0);
    const after = cleanupTrigger();
    expect(after.records).toBeGreaterThan(before.records);
    expect(after.failedRecords).toBe(before.failedRecords);
  }, 120_000);

  it('moves a message the worker cannot carry out to the dead-letter queue after three receives', async () => {
    // Arrange
    const sqs = system.aws.clients.sqs;
    const body = JSON.stringify({ type: 'unknown-work', marker: randomBytes(8).toString('hex') });
    const before = cleanupTrigger();

    // Act
    await sqs.send(new SendMessageCommand({ QueueUrl: system.outputs.CleanupQueueUrl!, MessageBody: body }));
    const dead: string[] = [];
    for (let attempt = 0; attempt < 30 && dead.length === 0; attempt++) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: system.outputs.CleanupDlqUrl!, WaitTimeSeconds: 1 }),
      );
      dead.push(...Messages.map((message) => message.Body!));
      if (dead.length === 0) await delay(200);
    }
    await system.idle();

    // Assert
    expect(dead).toEqual([body]);
    const after = cleanupTrigger();
    expect(after.failedRecords - before.failedRecords).toBe(3);
  }, 60_000);
});
