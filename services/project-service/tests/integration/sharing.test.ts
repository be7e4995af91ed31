import {
  apiError,
  callApi,
  createTestTenant,
  guestSession,
  systemDb,
} from '../../../../tests/helpers/identity';
import { newShareToken, shareIdOf } from '@pixelvault/core/src/entities';
import {
  createdProject,
  projectBody,
  refCounts,
  savedProject,
  storedFiles,
  type ProjectView,
} from '../../../../tests/helpers/projects';

interface Share {
  shareToken: string;
  url: string;
  expiresAt: string;
}

async function sharedBy(token: string, projectId: string, body?: unknown): Promise<Share> {
  const response = await callApi('POST', `/v1/projects/${projectId}/shares`, { token, body });
  if (response.status !== 201) throw new Error(`share: ${response.status} ${await response.text()}`);
  return (await response.json()) as Share;
}

const copy = (token: string, shareToken: string) =>
  callApi('POST', `/v1/projects/shared/${shareToken}/copy`, { token });

/** Two guests of one tenant: the owner of a project with `fileCount` files, and a friend. */
async function ownerAndFriend(fileCount: number) {
  const tenant = await createTestTenant();
  const owner = await guestSession(tenant);
  const friend = await guestSession(tenant);
  const ownerId = `session#${owner.sessionId}`;
  const fileIds = await storedFiles(tenant.tenantId, ownerId, fileCount);
  return {
    tenantId: tenant.tenantId,
    owner: owner.accessToken,
    ownerId,
    friend: friend.accessToken,
    fileIds,
  };
}

describe('sharing by copy', () => {
  it('gives the friend a copy referencing the same files, which survives the original', async () => {
    // Arrange
    const { tenantId, owner, friend, fileIds } = await ownerAndFriend(2);
    const document = { pages: [{ photos: fileIds }] };
    const original = await createdProject(owner, projectBody(fileIds, document));
    const share = await sharedBy(owner, original.id);

    // Act
    const copied = await copy(friend, share.shareToken);
    const countsWithCopy = await refCounts(tenantId, fileIds);
    const deleted = await callApi('DELETE', `/v1/projects/${original.id}`, { token: owner });

    // Assert
    expect(share).toEqual({
      shareToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      url: expect.stringContaining(`/shared#share=${share.shareToken}`),
      expiresAt: expect.any(String),
    });
    expect(Math.round((Date.parse(share.expiresAt) - Date.now()) / 86_400_000)).toBe(7);
    expect(copied.status).toBe(201);
    const project = (await copied.json()) as ProjectView;
    expect(project).toEqual(
      expect.objectContaining({ version: 1, fileIds, title: original.title, product: original.product }),
    );
    expect(project.id).not.toBe(original.id);
    expect(countsWithCopy).toEqual([2, 2]);
    expect(deleted.status).toBe(204);
    expect(await refCounts(tenantId, fileIds)).toEqual([1, 1]);
    const got = await callApi('GET', `/v1/projects/${project.id}`, { token: friend });
    expect(got.status).toBe(200);
    expect(((await got.json()) as ProjectView).document).toEqual(document);
  });

  it("lets the friend keep saving the copy with the sharer's files, but not add other files of the sharer", async () => {
    // Arrange
    const { tenantId, owner, friend, fileIds } = await ownerAndFriend(3);
    const [inherited, dropped, notShared] = fileIds as [string, string, string];
    const original = await createdProject(owner, projectBody([inherited, dropped]));
    const copied = (await (
      await copy(friend, (await sharedBy(owner, original.id)).shareToken)
    ).json()) as ProjectView;

    // Act
    const saved = await savedProject(friend, copied.id, 1, projectBody([inherited]));
    const refused = await callApi('PUT', `/v1/projects/${copied.id}`, {
      token: friend,
      body: projectBody([inherited, notShared]),
      headers: { 'if-match': '"2"' },
    });

    // Assert
    expect(saved.fileIds).toEqual([inherited]);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual(
      apiError('invalid_request', [{ field: 'fileIds.1', reason: `file ${notShared}: not_found` }]),
    );
    expect(await refCounts(tenantId, [inherited, dropped, notShared])).toEqual([2, 1, 0]);
  });

  it('copies a project of 150 files in steps and counts every file once more', async () => {
    // Arrange
    const { tenantId, owner, friend, fileIds } = await ownerAndFriend(150);
    const original = await createdProject(owner, projectBody(fileIds.slice(0, 99)));
    await savedProject(owner, original.id, 1, projectBody(fileIds));
    const share = await sharedBy(owner, original.id);

    // Act
    const copied = await copy(friend, share.shareToken);

    // Assert
    expect(copied.status).toBe(201);
    const project = (await copied.json()) as ProjectView;
    expect(project.fileIds).toEqual(fileIds);
    expect((await refCounts(tenantId, fileIds)).every((count) => count === 2)).toBe(true);
    const listed = (await (await callApi('GET', '/v1/projects', { token: friend })).json()) as {
      items: ProjectView[];
    };
    expect(listed.items.map((item) => [item.id, item.fileCount])).toEqual([[project.id, 150]]);
  });

  it('refuses revoked, expired, unknown and other tenants’ tokens with 404 and counts nothing', async () => {
    // Arrange
    const { tenantId, owner, ownerId, friend, fileIds } = await ownerAndFriend(1);
    const original = await createdProject(owner, projectBody(fileIds));
    const revoked = await sharedBy(owner, original.id);
    const revocation = await callApi('DELETE', `/v1/projects/${original.id}/shares/${revoked.shareToken}`, {
      token: owner,
    });
    // A share that expired a second ago, as the owner's own would be after its days ran out
    const expiredToken = newShareToken();
    await systemDb()
      .entities.projectShare.create({
        tenantId,
        shareId: shareIdOf(expiredToken),
        projectId: original.id,
        owner: ownerId,
        expiresAt: new Date(Date.now() - 1000).toISOString(),
      })
      .go();
    const valid = await sharedBy(owner, original.id);
    const foreigner = (await guestSession(await createTestTenant())).accessToken;

    // Act
    const responses = await Promise.all([
      copy(friend, revoked.shareToken),
      copy(friend, expiredToken),
      copy(friend, 'A'.repeat(43)),
      copy(friend, 'not-a-token'),
      copy(foreigner, valid.shareToken),
    ]);

    // Assert
    expect(revocation.status).toBe(204);
    for (const response of responses) {
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual(apiError('not_found'));
    }
    expect(await refCounts(tenantId, fileIds)).toEqual([1]);
  });

  it("refuses to share or revoke another session's project with 404", async () => {
    // Arrange
    const { owner, friend } = await ownerAndFriend(0);
    const original = await createdProject(owner, projectBody());
    const share = await sharedBy(owner, original.id);

    // Act
    const shareByFriend = await callApi('POST', `/v1/projects/${original.id}/shares`, { token: friend });
    const revokeByFriend = await callApi('DELETE', `/v1/projects/${original.id}/shares/${share.shareToken}`, {
      token: friend,
    });

    // Assert
    expect(shareByFriend.status).toBe(404);
    expect(revokeByFriend.status).toBe(404);
    expect((await copy(friend, share.shareToken)).status).toBe(201);
  });
});
