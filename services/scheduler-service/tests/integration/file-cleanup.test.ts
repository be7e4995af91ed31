import { randomBytes } from 'node:crypto';
import { fileObjectKey, FILE_OBJECTS } from '@pixelvault/core';
import { runCleanupWorker, takeExpiredFiles, type FilesExpiredWork } from '../../../../tests/helpers/cleanup';
import { objectBytes, putObjectDirectly, takeFileEvents } from '../../../../tests/helpers/files';
import { callApi, createTestTenant, guestSession, systemDb } from '../../../../tests/helpers/identity';
import { createdProject, projectBody, storedFiles } from '../../../../tests/helpers/projects';
import { runJob } from '../../../../tests/helpers/system';

const HOUR = 3600 * 1000;

/** An hour far from every other test's files (they expire within a day of now), so a sweep there finds only ours. */
const quietHour = (year: number) =>
  new Date(Date.UTC(year, 0, 1) + Math.floor(Math.random() * 300 * 24) * HOUR + 17 * 60 * 1000);

const fileItem = async (tenantId: string, fileId: string) =>
  (await systemDb().entities.file.get({ tenantId, fileId }).go({ consistent: true })).data;

const keysOf = (tenantId: string, owner: string, fileId: string) =>
  FILE_OBJECTS.map((object) => fileObjectKey({ tenantId, owner, fileId }, object));

/** Stores all three objects of each file, as an upload and its processing would have. */
async function storeObjects(tenantId: string, owner: string, fileIds: string[]) {
  await Promise.all(
    fileIds.flatMap((fileId) =>
      keysOf(tenantId, owner, fileId).map((key) => putObjectDirectly(key, randomBytes(64), 'image/jpeg')),
    ),
  );
}

/** How many of the files' objects storage still holds. */
async function objectsLeft(tenantId: string, owner: string, fileIds: string[]) {
  const held = await Promise.all(
    fileIds.flatMap((fileId) => keysOf(tenantId, owner, fileId).map((key) => objectBytes(key))),
  );
  return held.filter((bytes) => bytes !== undefined).length;
}

const expiredWork = (tenantId: string, fileIds: string[], at: Date): FilesExpiredWork => ({
  type: 'files-expired',
  tenantId,
  fileIds,
  at: at.toISOString(),
});

interface SweepReport {
  partitions: number;
  pages: number;
  found: number;
  handled: number;
  capacity: { read: number };
}

describe('expireFiles job and cleanUp worker', () => {
  it('removes 10,000 expired pending registrations with one run of the job, in pages of at most 100', async () => {
    // Arrange
    const { tenantId } = await createTestTenant();
    const owner = `session#${randomBytes(16).toString('base64url')}`;
    const expiresAt = quietHour(2041);
    const fileIds = await storedFiles(tenantId, owner, 10_000, 'pending', {
      expiresAt: expiresAt.toISOString(),
    });
    const withObjects = fileIds.slice(0, 20);
    await storeObjects(tenantId, owner, withObjects);
    const now = new Date(expiresAt.getTime() + HOUR);

    // Act
    const report = await runJob<SweepReport>('expireFiles', now);
    const messages = await takeExpiredFiles(tenantId, fileIds.length, 60_000);
    const failures = await runCleanupWorker(messages);

    // Assert
    expect(report.found).toBe(10_000);
    expect(report.pages).toBeGreaterThanOrEqual(100);
    expect(report.capacity.read).toBeLessThanOrEqual(report.found);
    expect(messages.length).toBe(report.handled);
    expect(Math.max(...messages.map((work) => work.fileIds.length))).toBeLessThanOrEqual(100);
    expect(messages.flatMap((work) => work.fileIds).sort()).toEqual([...fileIds].sort());
    expect(failures).toEqual([]);
    const { data: left } = await systemDb()
      .entities.file.query.byOwner({ tenantId, owner })
      .go({ pages: 'all' });
    expect(left).toHaveLength(0);
    expect(await objectsLeft(tenantId, owner, withObjects)).toBe(0);
  }, 300_000);

  it('never deletes a file a project saved or an order pinned after the job found it; deletes the others', async () => {
    // Arrange: the job found three expired files; then a project saved one and an order pinned another
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const owner = `session#${guest.sessionId}`;
    const expiresAt = new Date(Date.now() - HOUR);
    const [saved, pinned, unreferenced] = await storedFiles(tenant.tenantId, owner, 3, 'ready', {
      expiresAt: expiresAt.toISOString(),
    });
    await storeObjects(tenant.tenantId, owner, [saved!, pinned!, unreferenced!]);
    const at = new Date();
    const found = expiredWork(tenant.tenantId, [saved!, pinned!, unreferenced!], at);
    await createdProject(guest.accessToken, projectBody([saved!]));
    await systemDb()
      .entities.file.patch({ tenantId: tenant.tenantId, fileId: pinned! })
      .add({ pinCount: 1 })
      .go();

    // Act
    const failures = await runCleanupWorker([found]);

    // Assert
    expect(failures).toEqual([]);
    for (const fileId of [saved!, pinned!]) {
      const file = await fileItem(tenant.tenantId, fileId);
      expect(file).toMatchObject({ state: 'ready' });
      // Looked at again a day later, when the reference may be gone
      expect(Date.parse(file!.expiresAt!)).toBe(at.getTime() + 24 * HOUR);
    }
    expect(await objectsLeft(tenant.tenantId, owner, [saved!, pinned!])).toBe(6);
    expect(await fileItem(tenant.tenantId, unreferenced!)).toBeNull();
    expect(await objectsLeft(tenant.tenantId, owner, [unreferenced!])).toBe(0);
  });

  it('keeps a file whose expiry moved past the time the job found it', async () => {
    // Arrange
    const { tenantId } = await createTestTenant();
    const owner = `session#${randomBytes(16).toString('base64url')}`;
    const [fileId] = await storedFiles(tenantId, owner, 1, 'ready', {
      expiresAt: new Date(Date.now() + HOUR).toISOString(),
    });

    // Act
    const failures = await runCleanupWorker([expiredWork(tenantId, [fileId!], new Date())]);

    // Assert
    expect(failures).toEqual([]);
    expect(await fileItem(tenantId, fileId!)).toMatchObject({ state: 'ready' });
  });

  it.each([
    ['after deleting the objects, before deleting the item', true],
    ['after marking the file deleted, before deleting the objects', false],
  ])(
    'converges when a worker crashed %s: the redelivery removes the rest, a further one changes nothing',
    async (_moment, objectsDeleted) => {
      // Arrange: the state a crash left
      const { tenantId } = await createTestTenant();
      const owner = `session#${randomBytes(16).toString('base64url')}`;
      const at = new Date();
      const [fileId] = await storedFiles(tenantId, owner, 1, 'pending', {
        expiresAt: new Date(at.getTime() - HOUR).toISOString(),
      });
      if (!objectsDeleted) await storeObjects(tenantId, owner, [fileId!]);
      await systemDb()
        .entities.file.patch({ tenantId, fileId: fileId! })
        .set({ state: 'deleted' })
        .remove(['expiresAt', 'expiryPartition'])
        .go();
      const work = expiredWork(tenantId, [fileId!], at);

      // Act
      const redelivered = await runCleanupWorker([work]);
      const againDelivered = await runCleanupWorker([work]);

      // Assert
      expect(redelivered).toEqual([]);
      expect(againDelivered).toEqual([]);
      expect(await fileItem(tenantId, fileId!)).toBeNull();
      expect(await objectsLeft(tenantId, owner, [fileId!])).toBe(0);
    },
  );

  it('removes what DELETE /v1/files/{id} left behind: orphaned objects and the tombstone', async () => {
    // Arrange: a deleted file whose objects came back (as if DELETE's DeleteObjects had failed)
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const owner = `session#${guest.sessionId}`;
    const [fileId] = await storedFiles(tenant.tenantId, owner, 1, 'ready');
    const deleted = await callApi('DELETE', `/v1/files/${fileId}`, { token: guest.accessToken });
    expect(deleted.status).toBe(204);
    const [event] = await takeFileEvents(fileId!, 1);
    await storeObjects(tenant.tenantId, owner, [fileId!]);

    // Act
    const failures = await runCleanupWorker([{ ...event, tenantId: tenant.tenantId }]);

    // Assert
    expect(event).toMatchObject({ to: 'deleted' });
    expect(failures).toEqual([]);
    expect(await objectsLeft(tenant.tenantId, owner, [fileId!])).toBe(0);
    expect(await fileItem(tenant.tenantId, fileId!)).toBeNull();
  });

  it("removes a rejected file's objects on its event and keeps the item, so the client still reads why", async () => {
    // Arrange
    const { tenantId } = await createTestTenant();
    const owner = `session#${randomBytes(16).toString('base64url')}`;
    const [fileId] = await storedFiles(tenantId, owner, 1, 'rejected');
    await storeObjects(tenantId, owner, [fileId!]);
    const event = {
      type: 'file-state-changed',
      tenantId,
      fileId,
      owner,
      from: 'processing',
      to: 'rejected',
      reason: 'not_an_image',
      at: new Date().toISOString(),
    };

    // Act
    const failures = await runCleanupWorker([event]);

    // Assert
    expect(failures).toEqual([]);
    expect(await objectsLeft(tenantId, owner, [fileId!])).toBe(0);
    expect(await fileItem(tenantId, fileId!)).toMatchObject({ state: 'rejected' });
  });

  it('reports only the message it cannot read as failed; its batch-mates are carried out', async () => {
    // Arrange
    const { tenantId } = await createTestTenant();
    const owner = `session#${randomBytes(16).toString('base64url')}`;
    const at = new Date();
    const [fileId] = await storedFiles(tenantId, owner, 1, 'pending', {
      expiresAt: new Date(at.getTime() - HOUR).toISOString(),
    });

    // Act
    const failures = await runCleanupWorker([
      { type: 'unknown-work', tenantId },
      expiredWork(tenantId, [fileId!], at),
    ]);

    // Assert
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/-0$/);
    expect(await fileItem(tenantId, fileId!)).toBeNull();
  });
});
