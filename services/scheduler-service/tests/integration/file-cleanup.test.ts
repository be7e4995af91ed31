import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { runCleanupWorker, takeExpiredFiles, type FilesExpiredWork } from '../../../../tests/helpers/cleanup';
import { fileItem, fileObjectsLeft, storeFileObjects, takeFileEvents } from '../../../../tests/helpers/files';
import { callApi, createTestTenant, guestSession, systemDb } from '../../../../tests/helpers/identity';
import {
  createdProject,
  projectBody,
  storedFiles,
  updateProject,
  type ProjectView,
} from '../../../../tests/helpers/projects';
import { quietHour, runJob, useSystemAws } from '../../../../tests/helpers/system';
import type * as CleanupPortsModule from '../../src/adapters/cleanup-ports';
import type * as CleanUpModule from '../../src/domain/clean-up';
import type { FilePurgePorts } from '../../src/domain/file-purge';

const HOUR = 3600 * 1000;

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
    await storeFileObjects(tenantId, owner, withObjects);
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
    expect(await fileObjectsLeft(tenantId, owner, withObjects)).toBe(0);
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
    await storeFileObjects(tenant.tenantId, owner, [saved!, pinned!, unreferenced!]);
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
    expect(await fileObjectsLeft(tenant.tenantId, owner, [saved!, pinned!])).toBe(6);
    expect(await fileItem(tenant.tenantId, unreferenced!)).toBeNull();
    expect(await fileObjectsLeft(tenant.tenantId, owner, [unreferenced!])).toBe(0);
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

  it('removes what DELETE /v1/files/{id} left behind: orphaned objects and the tombstone', async () => {
    // Arrange: a deleted file whose objects came back (as if DELETE's DeleteObjects had failed)
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const owner = `session#${guest.sessionId}`;
    const [fileId] = await storedFiles(tenant.tenantId, owner, 1, 'ready');
    const deleted = await callApi('DELETE', `/v1/files/${fileId}`, { token: guest.accessToken });
    expect(deleted.status).toBe(204);
    const [event] = await takeFileEvents(fileId!, 1);
    await storeFileObjects(tenant.tenantId, owner, [fileId!]);

    // Act
    const failures = await runCleanupWorker([{ ...event, tenantId: tenant.tenantId }]);

    // Assert
    expect(event).toMatchObject({ to: 'deleted' });
    expect(failures).toEqual([]);
    expect(await fileObjectsLeft(tenant.tenantId, owner, [fileId!])).toBe(0);
    expect(await fileItem(tenant.tenantId, fileId!)).toBeNull();
  });

  it("removes a rejected file's objects on its event and keeps the item, so the client still reads why", async () => {
    // Arrange
    const { tenantId } = await createTestTenant();
    const owner = `session#${randomBytes(16).toString('base64url')}`;
    const [fileId] = await storedFiles(tenantId, owner, 1, 'rejected');
    await storeFileObjects(tenantId, owner, [fileId!]);
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
    expect(await fileObjectsLeft(tenantId, owner, [fileId!])).toBe(0);
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

describe('the cleanUp worker crashing midway (a fault injected into one of its real ports)', () => {
  let cleanUp: typeof CleanUpModule;
  let cleanupPorts: typeof CleanupPortsModule.cleanupPorts;
  beforeAll(async () => {
    useSystemAws();
    cleanUp = await import('../../src/domain/clean-up');
    ({ cleanupPorts } = await import('../../src/adapters/cleanup-ports'));
  });

  /** The worker's real ports, except that `step` of the file purge throws the first time, as a crash would. */
  function crashingPorts(step: 'deleteObjects' | 'deleteItem') {
    const real = cleanupPorts();
    let crashed = false;
    return {
      ...real,
      filePurge(...args: Parameters<typeof real.filePurge>): FilePurgePorts {
        const purge = real.filePurge(...args);
        const crashOnce =
          <A extends unknown[]>(run: (...args: A) => Promise<void>) =>
          async (...args: A) => {
            if (crashed) return run(...args);
            crashed = true;
            throw new Error(`worker crashed in ${step}`);
          };
        return step === 'deleteItem'
          ? { ...purge, deleteItem: crashOnce(purge.deleteItem) }
          : { ...purge, deleteObjects: crashOnce(purge.deleteObjects) };
      },
    };
  }

  it.each([
    ['deleteItem', 'after deleting the objects, before deleting the item', 0],
    ['deleteObjects', 'after marking the file deleted, before deleting the objects', 3],
  ] as const)(
    'converges when %s throws (%s): the redelivery removes the rest, a further one changes nothing',
    async (step, _moment, objectsAfterCrash) => {
      // Arrange
      const { tenantId } = await createTestTenant();
      const owner = `session#${randomBytes(16).toString('base64url')}`;
      const at = new Date();
      const [fileId] = await storedFiles(tenantId, owner, 1, 'ready', {
        expiresAt: new Date(at.getTime() - HOUR).toISOString(),
      });
      await storeFileObjects(tenantId, owner, [fileId!]);
      const work = expiredWork(tenantId, [fileId!], at);

      // Act
      const crashError = await cleanUp.carryOut(work, crashingPorts(step), cleanUp.emptyTally()).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      const leftByCrash = {
        state: (await fileItem(tenantId, fileId!))?.state,
        objects: await fileObjectsLeft(tenantId, owner, [fileId!]),
      };
      const redelivered = await runCleanupWorker([work]);
      const againDelivered = await runCleanupWorker([work]);

      // Assert
      expect(crashError?.message).toBe(`worker crashed in ${step}`);
      expect(leftByCrash).toEqual({ state: 'deleted', objects: objectsAfterCrash });
      expect(redelivered).toEqual([]);
      expect(againDelivered).toEqual([]);
      expect(await fileItem(tenantId, fileId!)).toBeNull();
      expect(await fileObjectsLeft(tenantId, owner, [fileId!])).toBe(0);
    },
  );
});

describe('a project save racing the cleanup of its file', () => {
  const ROUNDS = 30;
  /**
   * Each round the cleanup starts this much after the save, give or take up to JITTER_MS at random (either may
   * go first): the save reads its files before its transaction, the worker's mark is its first request, so
   * without a head start the cleanup wins about three rounds in four here.
   */
  const SAVE_HEAD_START_MS = 20;
  const JITTER_MS = 60;

  it(`never lets a saved project reference a deleted file (${ROUNDS} concurrent rounds)`, async () => {
    // Arrange: one expired guest file with its objects and one project to save, per round
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const owner = `session#${guest.sessionId}`;
    const fileIds = await storedFiles(tenant.tenantId, owner, ROUNDS, 'ready', {
      expiresAt: new Date(Date.now() - HOUR).toISOString(),
    });
    await storeFileObjects(tenant.tenantId, owner, fileIds);
    const projects: ProjectView[] = [];
    for (let round = 0; round < ROUNDS; round++)
      projects.push(await createdProject(guest.accessToken, projectBody([])));

    // Act: the save and the worker's cleanup of the same file at the same time, one of them jittered
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) {
      const fileId = fileIds[round]!;
      const offset = SAVE_HEAD_START_MS + Math.round((Math.random() * 2 - 1) * JITTER_MS);
      const [save, failures] = await Promise.all([
        delay(Math.max(0, -offset)).then(() =>
          updateProject(guest.accessToken, projects[round]!.id, 1, projectBody([fileId])),
        ),
        delay(Math.max(0, offset)).then(() =>
          runCleanupWorker([expiredWork(tenant.tenantId, [fileId], new Date())]),
        ),
      ]);
      const file = await fileItem(tenant.tenantId, fileId);
      const stored = (
        await systemDb()
          .entities.project.get({ tenantId: tenant.tenantId, projectId: projects[round]!.id })
          .go({ consistent: true })
      ).data;
      rounds.push({
        offset,
        status: save.status,
        failures,
        file: file && { state: file.state, refCount: file.refCount },
        objects: await fileObjectsLeft(tenant.tenantId, owner, [fileId]),
        projectFileIds: stored?.fileIds,
      });
    }

    // Assert: each round either the save won (file, objects and reference kept) or the cleanup did (save refused,
    // the file entirely gone); never a saved project referencing a deleted file
    const saveWon = rounds.filter(
      (round) =>
        round.status === 200 &&
        round.file?.state === 'ready' &&
        round.file.refCount === 1 &&
        round.objects === 3 &&
        round.projectFileIds?.length === 1,
    );
    const cleanupWon = rounds.filter(
      (round) =>
        round.status === 400 &&
        round.file === null &&
        round.objects === 0 &&
        round.projectFileIds?.length === 0,
    );
    console.info(
      `save vs cleanup, ${ROUNDS} rounds, cleanup ${SAVE_HEAD_START_MS} ± ${JITTER_MS} ms later: save won ${saveWon.length}, cleanup won ${cleanupWon.length}`,
    );
    expect(rounds.filter((round) => !saveWon.includes(round) && !cleanupWon.includes(round))).toEqual([]);
    expect(rounds.flatMap((round) => round.failures)).toEqual([]);
    expect(saveWon.length).toBeGreaterThan(0);
    expect(cleanupWon.length).toBeGreaterThan(0);
  }, 120_000);
});
