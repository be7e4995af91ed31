import { randomBytes } from 'node:crypto';
import { expiryFields } from '@pixelvault/core';
import { runCleanupWorker, takeExpiredFiles } from '../../../../tests/helpers/cleanup';
import { fileObjectKeys, objectBytes, putObjectDirectly } from '../../../../tests/helpers/files';
import {
  callApi,
  createTestTenant,
  guestSession,
  partnerApiKeyHeader,
  partnerToken,
  systemDb,
} from '../../../../tests/helpers/identity';
import {
  createdProject,
  projectBody,
  projectItem,
  refCounts,
  storedFiles,
} from '../../../../tests/helpers/projects';
import { quietHour, runJob } from '../../../../tests/helpers/system';

const HOUR = 3600 * 1000;

async function objectsLeft(keys: string[]) {
  const held = await Promise.all(keys.map((key) => objectBytes(key)));
  return held.filter((bytes) => bytes !== undefined).length;
}

interface JobReport {
  found: number;
  handled: number;
  outcomes: Record<string, number>;
}

describe('retention jobs', () => {
  it("deletes a project past its retention; the guest's files it kept then expire with their session", async () => {
    // Arrange: a guest's two files whose session ended, kept only by a project whose retention ends too
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const owner = `session#${guest.sessionId}`;
    const now = quietHour(2042);
    const fileIds = await storedFiles(tenant.tenantId, owner, 2, 'ready', {
      expiresAt: new Date(now.getTime() - 2 * HOUR).toISOString(),
    });
    const keys = fileIds.flatMap((fileId) => fileObjectKeys(tenant.tenantId, owner, fileId));
    await Promise.all(keys.map((key) => putObjectDirectly(key, randomBytes(32), 'image/jpeg')));
    const project = await createdProject(guest.accessToken, projectBody(fileIds));
    await systemDb()
      .entities.project.patch({ tenantId: tenant.tenantId, projectId: project.id })
      .set(expiryFields(project.id, new Date(now.getTime() - HOUR).toISOString()))
      .go();

    // Act
    const projects = await runJob<JobReport>('expireProjects', now);
    const files = await runJob<JobReport>('expireFiles', now);
    const failures = await runCleanupWorker(await takeExpiredFiles(tenant.tenantId, 2));

    // Assert
    expect(projects).toMatchObject({ found: 1, outcomes: { ProjectsDeleted: 1, ProjectsSkippedSaved: 0 } });
    expect(await projectItem(tenant.tenantId, project.id)).toBeNull();
    expect(files.found).toBe(2);
    expect(failures).toEqual([]);
    expect(await refCounts(tenant.tenantId, fileIds)).toEqual([undefined, undefined]);
    expect(await objectsLeft(keys)).toBe(0);
  });

  it('keeps a project whose retention has not ended yet', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const now = quietHour(2043);
    const project = await createdProject(guest.accessToken, projectBody([]));
    await systemDb()
      .entities.project.patch({ tenantId: tenant.tenantId, projectId: project.id })
      .set(expiryFields(project.id, new Date(now.getTime() + 60_000).toISOString()))
      .go();

    // Act
    const report = await runJob<JobReport>('expireProjects', now);

    // Assert
    expect(report.found).toBe(0);
    expect(await projectItem(tenant.tenantId, project.id)).not.toBeNull();
  });

  it('releases an order past retainUntil: its files are unpinned, the order and its frozen documents are gone', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const owner = `session#${guest.sessionId}`;
    const now = quietHour(2031);
    const fileIds = await storedFiles(tenant.tenantId, owner, 3, 'ready');
    const project = await createdProject(guest.accessToken, projectBody(fileIds));
    const partner = await partnerToken(tenant);
    const placed = await callApi('POST', '/v1/orders', {
      token: partner,
      body: {
        externalOrderId: `SHOP-${randomBytes(4).toString('hex')}`,
        sessionId: guest.sessionId,
        projectIds: [project.id],
        retainUntil: new Date(now.getTime() - HOUR).toISOString(),
      },
      headers: partnerApiKeyHeader(),
    });
    expect(placed.status).toBe(201);
    const order = (await placed.json()) as { id: string };
    const { data: stored } = await systemDb()
      .entities.order.get({ tenantId: tenant.tenantId, orderId: order.id })
      .go();
    const documents = stored!.projects.map((frozen) => frozen.documentKey);
    expect(await objectsLeft(documents)).toBe(1);

    // Act
    const report = await runJob<JobReport>('releaseOrders', now);

    // Assert
    expect(report).toMatchObject({ found: 1, outcomes: { OrdersReleased: 1, OrdersFailed: 0 } });
    const afterwards = await callApi('GET', `/v1/orders/${order.id}`, {
      token: partner,
      headers: partnerApiKeyHeader(),
    });
    expect(afterwards.status).toBe(404);
    const { data: files } = await systemDb()
      .entities.file.get(fileIds.map((fileId) => ({ tenantId: tenant.tenantId, fileId })))
      .go({ consistent: true });
    expect(files.map((file) => file.pinCount)).toEqual([0, 0, 0]);
    expect(await objectsLeft(documents)).toBe(0);
  });
});
