import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { fileObjectKey, FILE_OBJECTS } from '@pixelvault/core';
import { runCleanupWorker } from '../../../../tests/helpers/cleanup';
import { localS3, newUpload, putObjectDirectly } from '../../../../tests/helpers/files';
import {
  apiError,
  callApi,
  createTestTenant,
  guestSession,
  partnerApiKeyHeader,
  partnerToken,
  systemDb,
  takeCleanupWork,
  uploadLink,
  userSession,
} from '../../../../tests/helpers/identity';
import { createdProject, projectBody, storedFiles } from '../../../../tests/helpers/projects';
import { testSystem } from '../../../../tests/helpers/system';

async function keysUnder(prefix: string): Promise<string[]> {
  const s3 = localS3();
  try {
    const { Contents = [] } = await s3.send(
      new ListObjectsV2Command({ Bucket: testSystem().outputs.BucketName!, Prefix: prefix }),
    );
    return Contents.map(({ Key }) => Key!);
  } finally {
    s3.destroy();
  }
}

/** Every item any index finds for the owner: files, projects, shares, orders (gsi1) and sessions (byUser). */
async function itemsOfOwner(tenantId: string, owner: string) {
  const db = systemDb();
  const [files, projects, shares, orders, sessions] = await Promise.all([
    db.entities.file.query.byOwner({ tenantId, owner }).go({ pages: 'all' }),
    db.entities.project.query.byOwner({ tenantId, owner }).go({ pages: 'all' }),
    db.entities.projectShare.query.byOwner({ tenantId, owner }).go({ pages: 'all' }),
    db.entities.order.query.byOwner({ tenantId, owner }).go({ pages: 'all' }),
    db.entities.session.query.byUser({ tenantId, owner }).go({ pages: 'all' }),
  ]);
  return {
    files: files.data,
    projects: projects.data,
    shares: shares.data,
    orders: orders.data,
    sessions: sessions.data,
  };
}

const erasePath = (userId: string) => `/v1/auth/users/${encodeURIComponent(userId)}/erase`;
const newUserId = () => `erase-me-${randomBytes(4).toString('hex')}`;

describe('POST /v1/auth/users/{userId}/erase', () => {
  it('leaves no object and no item of the user (orders and shares too), and reports the counts when done', async () => {
    // Arrange: a user with two sessions, 5 files with objects, 2 projects (one with a document in S3), a share,
    // and a partner's order of the first project pinning 3 files (with its frozen document in S3)
    const tenant = await createTestTenant();
    const userId = newUserId();
    const owner = `user#${userId}`;
    const session = await userSession(tenant, userId);
    await userSession(tenant, userId);
    const fileIds = await storedFiles(tenant.tenantId, owner, 5, 'ready');
    await Promise.all(
      fileIds.flatMap((fileId) =>
        FILE_OBJECTS.map((object) =>
          putObjectDirectly(
            fileObjectKey({ tenantId: tenant.tenantId, owner, fileId }, object),
            randomBytes(32),
            'image/jpeg',
          ),
        ),
      ),
    );
    const ordered = await createdProject(session.accessToken, projectBody(fileIds.slice(0, 3)));
    await createdProject(
      session.accessToken,
      projectBody(fileIds.slice(2), { text: 'x'.repeat(400 * 1024) }),
    );
    const share = await callApi('POST', `/v1/projects/${ordered.id}/shares`, {
      token: session.accessToken,
      body: {},
    });
    const partner = await partnerToken(tenant);
    const order = await callApi('POST', '/v1/orders', {
      token: partner,
      headers: partnerApiKeyHeader(),
      body: { externalOrderId: `SHOP-${randomBytes(4).toString('hex')}`, userId, projectIds: [ordered.id] },
    });
    const { id: orderId } = (await order.json()) as { id: string };
    const path = erasePath(userId);

    // Act
    const accepted = await callApi('POST', path, { token: partner, headers: partnerApiKeyHeader() });
    const work = await takeCleanupWork(tenant.tenantId, 1, { type: 'user-erasure' });
    const failures = await runCleanupWorker(work);
    const report = await callApi('GET', path, { token: partner, headers: partnerApiKeyHeader() });

    // Assert
    expect([share.status, order.status]).toEqual([201, 201]);
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ userId, state: 'running' });
    expect(failures).toEqual([]);
    expect(report.status).toBe(200);
    expect(await report.json()).toMatchObject({
      userId,
      state: 'done',
      finishedAt: expect.any(String),
      // objects: 15 of the files, the project's document, the order's frozen document
      counts: { sessions: 2, projects: 2, shares: 1, orders: 1, files: 5, objects: 17, filesKeptPinned: 0 },
    });
    expect(await itemsOfOwner(tenant.tenantId, owner)).toEqual({
      files: [],
      projects: [],
      shares: [],
      orders: [],
      sessions: [],
    });
    const { data: orderItem } = await systemDb()
      .entities.order.get({ tenantId: tenant.tenantId, orderId })
      .go({ consistent: true });
    expect(orderItem).toBeNull();
    expect(await keysUnder(`t/${tenant.tenantId}/o/${owner}/`)).toEqual([]);
    const gone = await callApi('GET', `/v1/orders/${orderId}`, {
      token: partner,
      headers: partnerApiKeyHeader(),
    });
    expect(gone.status).toBe(404);
  });

  it('stops every token of the user (both sessions, an upload link) before it answers; others keep working', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const userId = newUserId();
    const first = await userSession(tenant, userId);
    const second = await userSession(tenant, userId);
    const link = await uploadLink(first.accessToken);
    const bystander = await userSession(tenant, newUserId());
    const otherTenant = await createTestTenant();
    const sameIdElsewhere = await userSession(otherTenant, userId);
    const partner = await partnerToken(tenant);

    // Act: no worker has run yet
    const accepted = await callApi('POST', erasePath(userId), {
      token: partner,
      headers: partnerApiKeyHeader(),
    });
    const calls = await Promise.all(
      [first, second].flatMap(({ accessToken }) => [
        callApi('GET', '/v1/files', { token: accessToken }),
        callApi('GET', '/v1/projects', { token: accessToken }),
        callApi('POST', '/v1/projects', { token: accessToken, body: projectBody() }),
        callApi('POST', '/v1/auth/upload-links', { token: accessToken, body: {} }),
        callApi('DELETE', '/v1/auth/sessions/current', { token: accessToken }),
      ]),
    );
    const linkUpload = await callApi('POST', '/v1/files', {
      token: link.token,
      body: newUpload().registration,
    });
    const others = await Promise.all([
      callApi('GET', '/v1/files', { token: bystander.accessToken }),
      callApi('GET', '/v1/projects', { token: sameIdElsewhere.accessToken }),
      callApi('GET', erasePath(userId), { token: partner, headers: partnerApiKeyHeader() }),
    ]);
    const askedAgain = await callApi('POST', erasePath(userId), {
      token: partner,
      headers: partnerApiKeyHeader(),
    });
    const stillRefused = await callApi('GET', '/v1/files', { token: first.accessToken });

    // Assert
    expect(accepted.status).toBe(202);
    expect(calls.map((response) => response.status)).toEqual(Array(10).fill(401));
    expect(await calls[0]!.json()).toEqual(apiError('unauthorized'));
    expect(linkUpload.status).toBe(401);
    expect(others.map((response) => response.status)).toEqual([200, 200, 200]);
    expect([askedAgain.status, stillRefused.status]).toEqual([202, 401]);
    await takeCleanupWork(tenant.tenantId, 1, { type: 'user-erasure' });
  });

  it('refuses a new session of the user while the erasure runs (409), and allows one once it is done', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const userId = newUserId();
    await userSession(tenant, userId);
    const partner = await partnerToken(tenant);
    await callApi('POST', erasePath(userId), { token: partner, headers: partnerApiKeyHeader() });
    const newSession = () => callApi('POST', '/v1/auth/sessions', { token: partner, body: { userId } });

    // Act
    const during = await newSession();
    const work = await takeCleanupWork(tenant.tenantId, 1, { type: 'user-erasure' });
    const failures = await runCleanupWorker(work);
    const after = await newSession();

    // Assert
    expect(during.status).toBe(409);
    expect(await during.json()).toEqual(
      apiError('erasure_running', [{ field: 'userId', reason: 'an erasure of this user is running' }]),
    );
    expect(failures).toEqual([]);
    expect(after.status).toBe(201);
    const { accessToken } = (await after.json()) as { accessToken: string };
    const works = await callApi('GET', '/v1/projects', { token: accessToken });
    expect(works.status).toBe(200);
    const sessions = await systemDb()
      .entities.session.query.byUser({ tenantId: tenant.tenantId, owner: `user#${userId}` })
      .go({ pages: 'all' });
    expect(sessions.data).toHaveLength(1);
  });

  it('erases again what a claim queued before the erasure moved to the user after it', async () => {
    // Arrange: a guest with files and a project is claimed for the user; the claim's work waits in the queue
    const tenant = await createTestTenant();
    const userId = newUserId();
    const guest = await guestSession(tenant);
    const guestOwner = `session#${guest.sessionId}`;
    const fileIds = await storedFiles(tenant.tenantId, guestOwner, 3, 'ready');
    await createdProject(guest.accessToken, projectBody(fileIds));
    const claimer = await partnerToken(tenant, 'sessions:write');
    const eraser = await partnerToken(tenant, 'users:erase');
    const claimed = await callApi('POST', `/v1/auth/sessions/${guest.sessionId}/claim`, {
      token: claimer,
      body: { userId },
      headers: partnerApiKeyHeader(),
    });
    const [claim] = await takeCleanupWork(tenant.tenantId, 1, { type: 'ownership-transfer' });
    await callApi('POST', erasePath(userId), { token: eraser, headers: partnerApiKeyHeader() });
    await runCleanupWorker(await takeCleanupWork(tenant.tenantId, 1, { type: 'user-erasure' }));

    // Act: the claim is carried out after the erasure finished
    const claimFailures = await runCleanupWorker([claim]);
    const again = await takeCleanupWork(tenant.tenantId, 1, { type: 'user-erasure' });
    const eraseFailures = await runCleanupWorker(again);
    const report = await callApi('GET', erasePath(userId), { token: eraser, headers: partnerApiKeyHeader() });

    // Assert
    expect(claimed.status).toBe(202);
    expect(claimFailures).toEqual([]);
    expect(again).toEqual([
      { type: 'user-erasure', tenantId: tenant.tenantId, userId, at: expect.any(String) },
    ]);
    expect(eraseFailures).toEqual([]);
    expect(await itemsOfOwner(tenant.tenantId, `user#${userId}`)).toEqual({
      files: [],
      projects: [],
      shares: [],
      orders: [],
      sessions: [],
    });
    expect(await report.json()).toMatchObject({ state: 'done', counts: { projects: 1, files: 3 } });
  });

  it('leaves a claim made after a finished erasure with the user (a new start, not erased)', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const userId = newUserId();
    const eraser = await partnerToken(tenant, 'users:erase');
    await callApi('POST', erasePath(userId), { token: eraser, headers: partnerApiKeyHeader() });
    await runCleanupWorker(await takeCleanupWork(tenant.tenantId, 1, { type: 'user-erasure' }));
    const guest = await guestSession(tenant);
    const fileIds = await storedFiles(tenant.tenantId, `session#${guest.sessionId}`, 2, 'ready');

    // Act
    await callApi('POST', `/v1/auth/sessions/${guest.sessionId}/claim`, {
      token: await partnerToken(tenant, 'sessions:write'),
      body: { userId },
      headers: partnerApiKeyHeader(),
    });
    const failures = await runCleanupWorker(
      await takeCleanupWork(tenant.tenantId, 1, { type: 'ownership-transfer' }),
    );
    const erasedAgain = await takeCleanupWork(tenant.tenantId, 1, { type: 'user-erasure', timeoutMs: 3_000 });

    // Assert
    expect(failures).toEqual([]);
    expect(erasedAgain).toEqual([]);
    const { files } = await itemsOfOwner(tenant.tenantId, `user#${userId}`);
    expect(files.map((file) => file.fileId).sort()).toEqual([...fileIds].sort());
  });

  it('refuses a token without users:erase (403) and an unknown erasure report (404)', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const partner = await partnerToken(tenant, 'sessions:write');
    const eraser = await partnerToken(tenant, 'users:erase');

    // Act
    const refused = await callApi('POST', '/v1/auth/users/someone/erase', {
      token: partner,
      headers: partnerApiKeyHeader(),
    });
    const unknown = await callApi('GET', '/v1/auth/users/nobody/erase', {
      token: eraser,
      headers: partnerApiKeyHeader(),
    });

    // Assert
    expect(refused.status).toBe(403);
    expect(unknown.status).toBe(404);
  });
});
