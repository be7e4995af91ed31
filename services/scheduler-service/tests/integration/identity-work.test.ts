import { randomBytes } from 'node:crypto';
import { runCleanupWorker } from '../../../../tests/helpers/cleanup';
import { fileItem, fileObjectKeys, fileObjectsLeft, storeFileObjects } from '../../../../tests/helpers/files';
import {
  callApi,
  createTestTenant,
  guestSession,
  partnerApiKeyHeader,
  partnerToken,
  systemDb,
  takeCleanupWork,
  userSession,
} from '../../../../tests/helpers/identity';
import { createdProject, projectBody, storedFiles } from '../../../../tests/helpers/projects';

/** Every page of a listing route (GET /v1/files, /v1/projects) for this token. */
async function listAll(path: string, token: string): Promise<Array<{ id: string }>> {
  const items: Array<{ id: string }> = [];
  let cursor: string | undefined;
  do {
    const response = await callApi(
      'GET',
      `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token },
    );
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { items: Array<{ id: string }>; nextCursor?: string | null };
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

describe('logout cleanup', () => {
  it("removes exactly the guest's unsaved files: not those a project uses, not long-term ones, not another guest's", async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const other = await guestSession(tenant);
    const owner = `session#${guest.sessionId}`;
    const otherOwner = `session#${other.sessionId}`;
    const unsaved = [
      ...(await storedFiles(tenant.tenantId, owner, 3, 'ready')),
      ...(await storedFiles(tenant.tenantId, owner, 1, 'pending')),
      ...(await storedFiles(tenant.tenantId, owner, 1, 'rejected')),
    ];
    const [saved] = await storedFiles(tenant.tenantId, owner, 1, 'ready');
    const [longTerm] = await storedFiles(tenant.tenantId, owner, 1, 'ready', { longTerm: true });
    const [othersFile] = await storedFiles(tenant.tenantId, otherOwner, 1, 'ready');
    await createdProject(guest.accessToken, projectBody([saved!]));
    await storeFileObjects(tenant.tenantId, owner, [...unsaved, saved!, longTerm!]);
    await storeFileObjects(tenant.tenantId, otherOwner, [othersFile!]);

    // Act
    const logout = await callApi('DELETE', '/v1/auth/sessions/current', { token: guest.accessToken });
    // (the processor's events about the stored pending file arrive on the same queue: only the logout's is taken)
    const work = await takeCleanupWork(tenant.tenantId, 1, { type: 'session-ended' });
    const failures = await runCleanupWorker(work);

    // Assert
    expect(logout.status).toBe(204);
    expect(work).toEqual([expect.objectContaining({ type: 'session-ended', sessionId: guest.sessionId })]);
    expect(failures).toEqual([]);
    for (const fileId of unsaved) expect(await fileItem(tenant.tenantId, fileId)).toBeNull();
    expect(await fileObjectsLeft(tenant.tenantId, owner, unsaved)).toBe(0);
    for (const fileId of [saved!, longTerm!]) expect(await fileItem(tenant.tenantId, fileId)).not.toBeNull();
    expect(await fileObjectsLeft(tenant.tenantId, owner, [saved!, longTerm!])).toBe(6);
    expect(await fileItem(tenant.tenantId, othersFile!)).toMatchObject({ state: 'ready' });
    expect(await fileObjectsLeft(tenant.tenantId, otherOwner, [othersFile!])).toBe(3);
  });
});

describe('claim (ownership transfer)', () => {
  it('moves 500 files and 20 projects to the user, who then sees them all; resumes after a crash midway', async () => {
    // Arrange: a guest with 500 files and 20 projects using them; a worker crashed after moving 200 files
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const owner = `session#${guest.sessionId}`;
    const userId = `user-${randomBytes(6).toString('hex')}`;
    const fileIds = await storedFiles(tenant.tenantId, owner, 500, 'ready', {
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    const projects = [];
    for (let index = 0; index < 20; index++) {
      projects.push(
        await createdProject(guest.accessToken, projectBody(fileIds.slice(index * 25, index * 25 + 25))),
      );
    }
    await storeFileObjects(tenant.tenantId, owner, fileIds.slice(0, 2));
    await Promise.all(
      fileIds.slice(0, 200).map((fileId) =>
        systemDb()
          .entities.file.patch({ tenantId: tenant.tenantId, fileId })
          .set({ owner: `user#${userId}` })
          .remove(['expiresAt', 'expiryPartition'])
          .go(),
      ),
    );
    const token = await partnerToken(tenant, 'sessions:write');

    // Act
    const claimed = await callApi('POST', `/v1/auth/sessions/${guest.sessionId}/claim`, {
      token,
      body: { userId },
      headers: partnerApiKeyHeader(),
    });
    const work = await takeCleanupWork(tenant.tenantId, 1, { type: 'ownership-transfer' });
    const failures = await runCleanupWorker(work);
    const redelivered = await runCleanupWorker(work);
    const user = await userSession(tenant, userId);
    const files = await listAll('/v1/files', user.accessToken);
    const userProjects = await listAll('/v1/projects', user.accessToken);
    const guestFiles = await listAll('/v1/files', guest.accessToken);

    // Assert
    expect(claimed.status).toBe(202);
    expect(failures).toEqual([]);
    expect(redelivered).toEqual([]);
    expect(files.map((file) => file.id).sort()).toEqual([...fileIds].sort());
    expect(userProjects.map((project) => project.id).sort()).toEqual(
      projects.map((project) => project.id).sort(),
    );
    expect(guestFiles).toEqual([]);
    // The user keeps them: out of the expiry index; the objects stay where they were uploaded
    const moved = await fileItem(tenant.tenantId, fileIds[499]!);
    expect(moved).toMatchObject({
      owner: `user#${userId}`,
      objectKey: fileObjectKeys(tenant.tenantId, owner, fileIds[499]!)[0],
    });
    expect(moved!.expiresAt).toBeUndefined();
    expect(await fileObjectsLeft(tenant.tenantId, owner, fileIds.slice(0, 2))).toBe(6);
    const download = await callApi('GET', `/v1/files/${fileIds[0]}/download`, { token: user.accessToken });
    expect(download.status).toBe(200);
  }, 180_000);

  it("gives the claimed guest's projects the user's retention, counted from the claim", async () => {
    // Arrange: the tenant keeps guests' projects 30 days and users' 365 (the defaults)
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const project = await createdProject(guest.accessToken, projectBody([]));
    const userId = `user-${randomBytes(6).toString('hex')}`;
    const projectItem = async () =>
      (
        await systemDb()
          .entities.project.get({ tenantId: tenant.tenantId, projectId: project.id })
          .go({ consistent: true })
      ).data!;
    const before = await projectItem();

    // Act
    await callApi('POST', `/v1/auth/sessions/${guest.sessionId}/claim`, {
      token: await partnerToken(tenant, 'sessions:write'),
      body: { userId },
      headers: partnerApiKeyHeader(),
    });
    const claimedAt = Date.now();
    const failures = await runCleanupWorker(
      await takeCleanupWork(tenant.tenantId, 1, { type: 'ownership-transfer' }),
    );
    const after = await projectItem();

    // Assert
    const days = (iso: string, from: number) => (Date.parse(iso) - from) / 86_400_000;
    expect(failures).toEqual([]);
    expect(days(before.expiresAt, Date.parse(before.updatedAt))).toBeCloseTo(30, 3);
    expect(after.owner).toBe(`user#${userId}`);
    expect(days(after.expiresAt, claimedAt)).toBeGreaterThan(364.99);
    expect(days(after.expiresAt, claimedAt)).toBeLessThan(365.01);
  });
});
