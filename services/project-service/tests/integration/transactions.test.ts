import { apiError, createTestTenant, guestSession } from '../../../../tests/helpers/identity';
import {
  createdProject,
  projectBody,
  projectItem,
  refCounts,
  setFileState,
  storedFiles,
  updateProject,
} from '../../../../tests/helpers/projects';
import { findOwnProject, insertProject, updateProject as writeSave } from '../../src/adapters/projects';
import { projectContent, saveProjectBody } from '../../src/domain/saving';
import { useSystemAws } from '../../../../tests/helpers/system';

beforeAll(useSystemAws);

describe('a save that fails inside its transaction', () => {
  it('leaves every refCount and the project as they were when a file turns unusable after the checks', async () => {
    // Arrange: the save's checks pass (all three files are usable) ...
    const tenant = await createTestTenant();
    const session = await guestSession(tenant);
    const key = { tenantId: tenant.tenantId, owner: `session#${session.sessionId}` as const };
    const [kept, added, spoiled] = (await storedFiles(tenant.tenantId, key.owner, 3)) as [
      string,
      string,
      string,
    ];
    const created = await createdProject(session.accessToken, projectBody([kept]));
    const current = (await findOwnProject(key, created.id))!;
    const content = projectContent(saveProjectBody.parse(projectBody([kept, added, spoiled], { v: 2 })));
    // ... then one of the added files is rejected before the transaction runs
    await setFileState(tenant.tenantId, spoiled, 'rejected');

    // Act: the transaction the PUT would run next
    const outcome = await writeSave(key, current, {
      expected: 1,
      savedAt: new Date().toISOString(),
      expiresAt: current.expiresAt,
      content,
      stored: { documentJson: content.documentJson },
      changes: { added: [added, spoiled], removed: [] },
    });

    // Assert
    expect(outcome).toEqual({ unusableFileIds: [spoiled] });
    expect(await refCounts(tenant.tenantId, [kept, added, spoiled])).toEqual([1, 0, 0]);
    const item = await projectItem(tenant.tenantId, created.id);
    expect(item).toEqual(
      expect.objectContaining({ version: 1, fileIds: [kept], documentJson: '{"pages":[]}' }),
    );
  });

  it('answers the same save through HTTP with 400 naming the spoiled file and no count moved', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const session = await guestSession(tenant);
    const owner = `session#${session.sessionId}`;
    const [kept, added, spoiled] = (await storedFiles(tenant.tenantId, owner, 3)) as [string, string, string];
    const created = await createdProject(session.accessToken, projectBody([kept]));
    await setFileState(tenant.tenantId, spoiled, 'rejected');

    // Act
    const response = await updateProject(
      session.accessToken,
      created.id,
      1,
      projectBody([kept, added, spoiled]),
    );

    // Assert
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(
      apiError('invalid_request', [{ field: 'fileIds.2', reason: `file ${spoiled}: rejected` }]),
    );
    expect(await refCounts(tenant.tenantId, [kept, added, spoiled])).toEqual([1, 0, 0]);
  });

  it('undoes a creation past one transaction when a later step fails: no count moves, no project is left', async () => {
    // Arrange: 150 usable files, the 120th (in the second transaction) turned unusable after the checks
    const tenant = await createTestTenant();
    const session = await guestSession(tenant);
    const key = { tenantId: tenant.tenantId, owner: `session#${session.sessionId}` as const };
    const fileIds = await storedFiles(tenant.tenantId, key.owner, 150);
    const content = projectContent(saveProjectBody.parse(projectBody(fileIds)));
    await setFileState(tenant.tenantId, fileIds[119]!, 'rejected');

    // Act: the transactions the POST would run next
    const outcome = await insertProject(key, {
      projectId: 'created-in-steps-0001',
      savedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      content,
      stored: { documentJson: content.documentJson },
    });

    // Assert
    expect(outcome).toEqual({ unusableFileIds: [fileIds[119]] });
    expect((await refCounts(tenant.tenantId, fileIds)).every((count) => count === 0)).toBe(true);
    expect(await projectItem(tenant.tenantId, 'created-in-steps-0001')).toBeNull();
  });
});
