import { randomBytes } from 'node:crypto';
import { apiError, callApi, createTestTenant, guestSession } from '../../../../tests/helpers/identity';
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

/** A photo-book-like document of about `bytes` bytes of JSON: pages of text and numbers, unicode included. */
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
    const current = documentOf(400 * 1024);
    const created = await createdProject(token, projectBody([], current));
    await savedProject(token, created.id, 1, projectBody([], { small: true }));
    const second = await savedProject(token, created.id, 2, projectBody([], current));
    const itemBefore = await projectItem(tenantId, created.id);

    // Act: a writer who still holds version 2 loses to the save that made version 3
    const stale = await updateProject(token, created.id, 2, projectBody([], documentOf(400 * 1024)));

    // Assert
    expect(second.version).toBe(3);
    expect(stale.status).toBe(412);
    const itemAfter = await projectItem(tenantId, created.id);
    expect(itemAfter?.documentKey).toBe(itemBefore?.documentKey);
    const got = (await (await callApi('GET', `/v1/projects/${created.id}`, { token })).json()) as ProjectView;
    expect(got.version).toBe(3);
    expect(JSON.stringify(got.document)).toBe(JSON.stringify(current));
  });

  it('moves a document back into the item when it shrinks below the inline limit', async () => {
    // Arrange
    const { tenantId, token } = await guestToken();
    const created = await createdProject(token, projectBody([], documentOf(400 * 1024)));

    // Act
    const saved = await savedProject(token, created.id, 1, projectBody([], { pages: ['one'] }));

    // Assert
    const item = await projectItem(tenantId, created.id);
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
