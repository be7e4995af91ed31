import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { fileObjectKey, FILE_OBJECTS } from '@pixelvault/core';
import { runCleanupWorker } from '../../../../tests/helpers/cleanup';
import { localS3, putObjectDirectly } from '../../../../tests/helpers/files';
import {
  callApi,
  createTestTenant,
  partnerApiKeyHeader,
  partnerToken,
  systemDb,
  takeCleanupWork,
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

describe('POST /v1/auth/users/{userId}/erase', () => {
  it('leaves no object and no item of the user, and reports the counts when done', async () => {
    // Arrange: a user with two sessions, 5 files with objects, 2 projects (one with a document in S3)
    const tenant = await createTestTenant();
    const userId = `erase-me-${randomBytes(4).toString('hex')}`;
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
    await createdProject(session.accessToken, projectBody(fileIds.slice(0, 3)));
    await createdProject(
      session.accessToken,
      projectBody(fileIds.slice(2), { text: 'x'.repeat(400 * 1024) }),
    );
    const partner = await partnerToken(tenant, 'users:erase');
    const path = `/v1/auth/users/${encodeURIComponent(userId)}/erase`;

    // Act
    const accepted = await callApi('POST', path, { token: partner, headers: partnerApiKeyHeader() });
    const work = await takeCleanupWork(tenant.tenantId, 1, { type: 'user-erasure' });
    const failures = await runCleanupWorker(work);
    const report = await callApi('GET', path, { token: partner, headers: partnerApiKeyHeader() });

    // Assert
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ userId, state: 'running' });
    expect(failures).toEqual([]);
    expect(report.status).toBe(200);
    expect(await report.json()).toMatchObject({
      userId,
      state: 'done',
      finishedAt: expect.any(String),
      counts: { sessions: 2, projects: 2, files: 5, objects: 16, filesKeptPinned: 0 },
    });
    const { data: items } = await systemDb()
      .entities.file.query.byOwner({ tenantId: tenant.tenantId, owner })
      .go({ pages: 'all' });
    const { data: projects } = await systemDb()
      .entities.project.query.byOwner({ tenantId: tenant.tenantId, owner })
      .go({ pages: 'all' });
    const { data: sessions } = await systemDb()
      .entities.session.query.byUser({ tenantId: tenant.tenantId, owner })
      .go({ pages: 'all' });
    expect([...items, ...projects, ...sessions]).toEqual([]);
    expect(await keysUnder(`t/${tenant.tenantId}/o/${owner}/`)).toEqual([]);
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
