import { randomBytes } from 'node:crypto';
import {
  apiError,
  callApi,
  createTestTenant,
  guestSession,
  takeCleanupWork,
} from '../../../../tests/helpers/identity';
import { invokeCleanupWorker } from '../../../../tests/helpers/cleanup';
import { objectBytes } from '../../../../tests/helpers/files';
import {
  createdProject,
  createProject,
  projectBody,
  projectItem,
  savedProject,
  updateProject,
  type ProjectView,
} from '../../../../tests/helpers/projects';

/**
 * A photo-book-like document of pages of text and numbers, unicode included: about 0.6 x `bytes` of JSON
 * (600 KB asked -> ~360 KB, past the 300 KB inline limit).
 */
function documentOf(bytes: number) {
  const pages = [];
  for (let size = 0; size < bytes; size += 1100) {
    pages.push({
      caption: `Seite ${pages.length} – ${randomBytes(384).toString('base64')}`,
      layout: { x: pages.length * 0.5, y: -1e-7, scale: 1.25 },
      photos: [randomBytes(16).toString('base64url'), randomBytes(16).toString('base64url')],
      note: 'über 🌍',
    });
  }
  return { pages };
}

async function guestToken() {
  const tenant = await createTestTenant();
  return { tenantId: tenant.tenantId, token: (await guestSession(tenant)).accessToken };
}

describe('project documents', () => {
  it('round-trips a 5 MB document byte-equal through S3 and keeps it out of the item', async () => {
    // Arrange
    const { tenantId, token } = await guestToken();
    const document = documentOf(5 * 1024 * 1024);
    const serialized = JSON.stringify(document);

    // Act
    const created = await createdProject(token, projectBody([], document));
    const got = await callApi('GET', `/v1/projects/${created.id}`, { token });

    // Assert
    expect(got.status).toBe(200);
    const project = (await got.json()) as ProjectView;
    expect(JSON.stringify(project.document)).toBe(serialized);
    expect(project.documentBytes).toBe(Buffer.byteLength(serialized));
    const item = await projectItem(tenantId, created.id);
    expect(item?.documentJson).toBeUndefined();
    expect(item?.documentKey).toMatch(
      new RegExp(`^t/${tenantId}/o/session#[^/]+/p/${created.id}/document/1-[0-9a-f]{16}\\.json$`),
    );
    expect((await objectBytes(item!.documentKey!))?.toString('utf8')).toBe(serialized);
  });

  it('keeps the current large version intact when a save of another large version loses', async () => {
    // Arrange
    const { tenantId, token } = await guestToken();
    const current = documentOf(600 * 1024);
    const created = await createdProject(token, projectBody([], current));
    await savedProject(token, created.id, 1, projectBody([], { small: true }));
    const second = await savedProject(token, created.id, 2, projectBody([], current));
    const itemBefore = await projectItem(tenantId, created.id);

    // Act: a writer who still holds version 2 loses to the save that made version 3
    const stale = await updateProject(token, created.id, 2, projectBody([], documentOf(600 * 1024)));

    // Assert
    expect(second.version).toBe(3);
    expect(stale.status).toBe(412);
    const itemAfter = await projectItem(tenantId, created.id);
    expect(itemBefore?.documentKey).toMatch(/\/document\/3-[0-9a-f]{16}\.json$/);
    expect(itemAfter?.documentKey).toBe(itemBefore?.documentKey);
    const got = (await (await callApi('GET', `/v1/projects/${created.id}`, { token })).json()) as ProjectView;
    expect(got.version).toBe(3);
    expect(JSON.stringify(got.document)).toBe(JSON.stringify(current));
  });

  it('hands the document object a save replaced to the cleanup worker, which deletes it and keeps the current one', async () => {
    // Arrange
    const { tenantId, token } = await guestToken();
    const created = await createdProject(token, projectBody([], documentOf(600 * 1024)));
    const firstKey = (await projectItem(tenantId, created.id))!.documentKey!;
    const second = documentOf(600 * 1024);
    await savedProject(token, created.id, 1, projectBody([], second));
    const currentKey = (await projectItem(tenantId, created.id))!.documentKey!;

    // Act
    // The cleanup queue's messages of this test's own tenant; they arrive after the stack's 2 s delay.
    const messages = await takeCleanupWork(tenantId, 1, {
      type: 'document-superseded',
      timeoutMs: 20_000,
      settleMs: 1_000,
    });
    const stillReadable = await objectBytes(firstKey);
    const retired = await invokeCleanupWorker(messages);
    const again = await invokeCleanupWorker([{ ...messages[0]!, documentKey: currentKey }]);

    // Assert
    expect(messages).toEqual([
      {
        type: 'document-superseded',
        tenantId,
        projectId: created.id,
        documentKey: firstKey,
        at: expect.any(String),
      },
    ]);
    expect(stillReadable).toBeDefined();
    expect(retired.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    expect(await objectBytes(firstKey)).toBeUndefined();
    expect((await objectBytes(currentKey))?.toString('utf8')).toBe(JSON.stringify(second));
    const got = (await (await callApi('GET', `/v1/projects/${created.id}`, { token })).json()) as ProjectView;
    expect(JSON.stringify(got.document)).toBe(JSON.stringify(second));
  });

  it("refuses to retire another project's document and deletes nothing", async () => {
    // Arrange
    const { tenantId, token } = await guestToken();
    const victim = await createdProject(token, projectBody([], documentOf(600 * 1024)));
    const other = await createdProject(token, projectBody([], { small: true }));
    const victimKey = (await projectItem(tenantId, victim.id))!.documentKey!;

    // Act
    const result = invokeCleanupWorker([
      {
        type: 'document-superseded',
        tenantId,
        projectId: other.id,
        documentKey: victimKey,
        at: new Date().toISOString(),
      },
    ]);

    // Assert: the one record failed (so the whole batch is reported failed), and the object is still there
    await expect(result).rejects.toThrow('All records failed processing');
    expect(await objectBytes(victimKey)).toBeDefined();
  });

  it('moves a document back into the item when it shrinks below the inline limit', async () => {
    // Arrange
    const { tenantId, token } = await guestToken();
    const created = await createdProject(token, projectBody([], documentOf(600 * 1024)));
    const before = await projectItem(tenantId, created.id);

    // Act
    const saved = await savedProject(token, created.id, 1, projectBody([], { pages: ['one'] }));

    // Assert
    const item = await projectItem(tenantId, created.id);
    expect(before?.documentKey).toBeDefined();
    expect(saved.documentBytes).toBe(17);
    expect(item?.documentKey).toBeUndefined();
    expect(item?.documentJson).toBe('{"pages":["one"]}');
  });

  it('refuses a document over 10 MiB with 413 and stores nothing', async () => {
    // Arrange
    const { token } = await guestToken();
    const document = { blob: 'x'.repeat(10 * 1024 * 1024) };

    // Act
    const response = await createProject(token, projectBody([], document));

    // Assert
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual(apiError('payload_too_large'));
    const list = (await (await callApi('GET', '/v1/projects', { token })).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
  });

  it('refuses a body without a document or with a bad product type, naming the fields', async () => {
    // Arrange
    const { token } = await guestToken();

    // Act
    const response = await createProject(token, { title: '', product: { type: 'Photo Book' }, fileIds: [] });

    // Assert
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(
      apiError('invalid_request', [
        { field: 'title', reason: expect.any(String) },
        { field: 'product.type', reason: 'must be a lower-case slug of 1-40 characters' },
        { field: 'document', reason: 'is required' },
      ]),
    );
  });
});
