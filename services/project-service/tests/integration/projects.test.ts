import {
  apiError,
  callApi,
  createTestTenant,
  guestSession,
  partnerToken,
  systemDb,
  uploadLink,
  userSession,
} from '../../../../tests/helpers/identity';
import {
  createdProject,
  createProject,
  projectBody,
  refCounts,
  savedProject,
  storedFiles,
  updateProject,
  type ProjectView,
} from '../../../../tests/helpers/projects';

/** A guest of a fresh tenant, with its owner string for stored files. */
async function guest() {
  const tenant = await createTestTenant();
  const session = await guestSession(tenant);
  return { tenantId: tenant.tenantId, token: session.accessToken, owner: `session#${session.sessionId}` };
}

describe('POST /v1/projects', () => {
  it('creates version 1 and counts each referenced file once', async () => {
    // Arrange
    const { tenantId, token, owner } = await guest();
    const [first, second] = await storedFiles(tenantId, owner, 2);
    const document = { pages: [{ photos: [first, second, first] }] };

    // Act
    const response = await createProject(token, projectBody([first!, second!, first!], document));

    // Assert
    expect(response.status).toBe(201);
    const project = (await response.json()) as ProjectView;
    expect(response.headers.get('etag')).toBe('"1"');
    expect(project).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      title: 'Summer 2026',
      product: { type: 'photo-book' },
      version: 1,
      fileCount: 2,
      documentBytes: JSON.stringify(document).length,
      fileIds: [first, second],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(await refCounts(tenantId, [first!, second!])).toEqual([1, 1]);
    const got = await callApi('GET', `/v1/projects/${project.id}`, { token });
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({ ...project, document });
  });
});

describe('PUT /v1/projects/{id}', () => {
  it('saves the next version and moves refCounts for added and removed files', async () => {
    // Arrange
    const { tenantId, token, owner } = await guest();
    const [kept, dropped, added] = (await storedFiles(tenantId, owner, 3)) as [string, string, string];
    const created = await createdProject(token, projectBody([kept, dropped]));

    // Act
    const response = await updateProject(token, created.id, 1, projectBody([kept, added], { pages: [1] }));

    // Assert
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('"2"');
    expect(await response.json()).toEqual(
      expect.objectContaining({ id: created.id, version: 2, fileIds: [kept, added] }),
    );
    expect(await refCounts(tenantId, [kept, dropped, added])).toEqual([1, 0, 1]);
  });

  it('lets exactly one of two writers of the same version win; the other gets 412 and changes no count', async () => {
    // Arrange
    const { tenantId, token, owner } = await guest();
    const [shared, mine, theirs] = (await storedFiles(tenantId, owner, 3)) as [string, string, string];
    const created = await createdProject(token, projectBody([shared]));

    // Act
    const responses = await Promise.all([
      updateProject(token, created.id, 1, projectBody([shared, mine], { by: 'mine' })),
      updateProject(token, created.id, 1, projectBody([shared, theirs], { by: 'theirs' })),
    ]);

    // Assert
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 412]);
    const loser = responses.find((response) => response.status === 412)!;
    expect(await loser.json()).toEqual(
      apiError('precondition_failed', {
        field: 'If-Match',
        reason: 'stale: the current version is 2',
        currentVersion: 2,
      }),
    );
    const winner = (await responses.find((response) => response.status === 200)!.json()) as ProjectView;
    const winnerFile = winner.fileIds[1] === mine ? mine : theirs;
    const loserFile = winnerFile === mine ? theirs : mine;
    expect(await refCounts(tenantId, [shared, winnerFile, loserFile])).toEqual([1, 1, 0]);
    const stored = (await (
      await callApi('GET', `/v1/projects/${created.id}`, { token })
    ).json()) as ProjectView;
    expect(stored.version).toBe(2);
    expect(stored.document).toEqual({ by: winnerFile === mine ? 'mine' : 'theirs' });
  });

  it('answers a missing If-Match with 428 and a stale one with 412 and the current version', async () => {
    // Arrange
    const { token } = await guest();
    const created = await createdProject(token, projectBody());
    await savedProject(token, created.id, 1, projectBody([], { pages: [2] }));

    // Act
    const missing = await updateProject(token, created.id, undefined, projectBody());
    const stale = await updateProject(token, created.id, 1, projectBody());
    const garbled = await callApi('PUT', `/v1/projects/${created.id}`, {
      token,
      body: projectBody(),
      headers: { 'if-match': 'W/"abc"' },
    });

    // Assert
    expect(missing.status).toBe(428);
    expect(await missing.json()).toEqual(
      apiError('precondition_required', [{ field: 'If-Match', reason: 'is required' }]),
    );
    expect(stale.status).toBe(412);
    expect(stale.headers.get('etag')).toBeNull();
    expect(
      ((await stale.json()) as { error: { details: { currentVersion: number } } }).error.details,
    ).toEqual(expect.objectContaining({ currentVersion: 2 }));
    expect(garbled.status).toBe(400);
    expect(await garbled.json()).toEqual(
      apiError('invalid_request', [{ field: 'If-Match', reason: 'must be a quoted version number' }]),
    );
  });

  it('refuses more than 99 reference changes in one save with 400 and leaves every count alone', async () => {
    // Arrange
    const { tenantId, token, owner } = await guest();
    const fileIds = await storedFiles(tenantId, owner, 100);
    const created = await createdProject(token, projectBody(fileIds.slice(0, 40)));

    // Act
    const response = await updateProject(token, created.id, 1, projectBody(fileIds.slice(40)));

    // Assert: 40 removed + 60 added = 100 changes
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(
      apiError('invalid_request', [
        {
          field: 'fileIds',
          reason: 'adds 60 and removes 40 files; at most 99 changes per save, save in steps',
        },
      ]),
    );
    const counts = await refCounts(tenantId, fileIds);
    expect(counts.slice(0, 40).every((count) => count === 1)).toBe(true);
    expect(counts.slice(40).every((count) => count === 0)).toBe(true);
  });
});

describe('file references', () => {
  it("refuses another owner's, a rejected and an unknown file with 400 naming each, counting nothing", async () => {
    // Arrange
    const { tenantId, token, owner } = await guest();
    const stranger = await guestSession({ tenantId });
    const [own] = await storedFiles(tenantId, owner, 1);
    const [foreign] = await storedFiles(tenantId, `session#${stranger.sessionId}`, 1);
    const [rejected] = await storedFiles(tenantId, owner, 1, 'rejected');
    const unknown = 'AAAAAAAAAAAAAAAAAAAAAA';

    // Act
    const response = await createProject(token, projectBody([own!, foreign!, rejected!, unknown]));

    // Assert
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(
      apiError('invalid_request', [
        { field: 'fileIds.1', reason: `file ${foreign}: not_found` },
        { field: 'fileIds.2', reason: `file ${rejected}: rejected` },
        { field: 'fileIds.3', reason: `file ${unknown}: not_found` },
      ]),
    );
    expect(await refCounts(tenantId, [own!, foreign!, rejected!])).toEqual([0, 0, 0]);
    const list = (await (await callApi('GET', '/v1/projects', { token })).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
  });

  it('creates a project with 150 files in one POST, past one transaction, counting each once', async () => {
    // Arrange
    const { tenantId, token, owner } = await guest();
    const fileIds = await storedFiles(tenantId, owner, 150);

    // Act
    const created = await createdProject(token, projectBody(fileIds));

    // Assert
    const loaded = (await (await callApi('GET', `/v1/projects/${created.id}`, { token })).json()) as {
      fileIds: string[];
      version: number;
    };
    expect(loaded).toMatchObject({ fileIds, version: 1 });
    expect((await refCounts(tenantId, fileIds)).every((count) => count === 1)).toBe(true);
  });

  it('releases every reference when a project is deleted, also past one transaction (150 files)', async () => {
    // Arrange: saved in steps, as no save may change more than 99 references
    const { tenantId, token, owner } = await guest();
    const fileIds = await storedFiles(tenantId, owner, 150);
    const created = await createdProject(token, projectBody(fileIds.slice(0, 99)));
    await savedProject(token, created.id, 1, projectBody(fileIds));
    const countsBefore = await refCounts(tenantId, fileIds);

    // Act
    const response = await callApi('DELETE', `/v1/projects/${created.id}`, { token });

    // Assert
    expect(response.status).toBe(204);
    expect(countsBefore.every((count) => count === 1)).toBe(true);
    expect((await refCounts(tenantId, fileIds)).every((count) => count === 0)).toBe(true);
    const gone = await callApi('GET', `/v1/projects/${created.id}`, { token });
    expect(gone.status).toBe(404);
    const again = await callApi('DELETE', `/v1/projects/${created.id}`, { token });
    expect(again.status).toBe(404);
  });
});

describe('file deletion', () => {
  it('refuses to delete a file a project uses until the project lets go of it', async () => {
    // Arrange
    const { tenantId, token, owner } = await guest();
    const [fileId] = (await storedFiles(tenantId, owner, 1)) as [string];
    const created = await createdProject(token, projectBody([fileId]));

    // Act
    const whileUsed = await callApi('DELETE', `/v1/files/${fileId}`, { token });
    await savedProject(token, created.id, 1, projectBody([]));
    const afterRelease = await callApi('DELETE', `/v1/files/${fileId}`, { token });

    // Assert
    expect(whileUsed.status).toBe(409);
    expect(await whileUsed.json()).toEqual(apiError('file_in_use'));
    expect(afterRelease.status).toBe(204);
  });
});

describe('ownership', () => {
  it("answers another session's project with 404 on every route and never lists it", async () => {
    // Arrange
    const { tenantId, token, owner } = await guest();
    const stranger = await guestSession({ tenantId });
    const [fileId] = await storedFiles(tenantId, owner, 1);
    const created = await createdProject(token, projectBody([fileId!]));

    // Act
    const read = await callApi('GET', `/v1/projects/${created.id}`, { token: stranger.accessToken });
    const write = await updateProject(stranger.accessToken, created.id, 1, projectBody());
    const remove = await callApi('DELETE', `/v1/projects/${created.id}`, { token: stranger.accessToken });
    const list = await callApi('GET', '/v1/projects', { token: stranger.accessToken });

    // Assert
    for (const response of [read, write, remove]) {
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual(apiError('not_found'));
    }
    expect(await list.json()).toEqual({ items: [], nextCursor: null });
    expect(await refCounts(tenantId, [fileId!])).toEqual([1]);
    const own = await callApi('GET', `/v1/projects/${created.id}`, { token });
    expect(((await own.json()) as ProjectView).version).toBe(1);
  });
});

describe('GET /v1/projects', () => {
  it("refuses another owner's cursor with 400 naming cursor", async () => {
    // Arrange
    const { token, tenantId } = await guest();
    const stranger = await guestSession({ tenantId });
    for (let index = 0; index < 2; index++) await createdProject(token, projectBody([], { index }));
    const { nextCursor } = (await (await callApi('GET', '/v1/projects?limit=1', { token })).json()) as {
      nextCursor: string;
    };

    // Act
    const response = await callApi('GET', `/v1/projects?cursor=${nextCursor}`, {
      token: stranger.accessToken,
    });

    // Assert
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(
      apiError('invalid_request', [{ field: 'cursor', reason: expect.any(String) }]),
    );
  });

  it('pages through the owner’s projects newest first without documents', async () => {
    // Arrange
    const { token } = await guest();
    const created: string[] = [];
    for (let index = 0; index < 5; index++) {
      created.push((await createdProject(token, projectBody([], { index }))).id);
    }

    // Act
    const first = await callApi('GET', '/v1/projects?limit=3', { token });
    const firstPage = (await first.json()) as { items: ProjectView[]; nextCursor: string };
    const second = await callApi('GET', `/v1/projects?limit=3&cursor=${firstPage.nextCursor}`, { token });
    const secondPage = (await second.json()) as { items: ProjectView[]; nextCursor: string | null };

    // Assert
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([...firstPage.items, ...secondPage.items].map((item) => item.id)).toEqual(created.reverse());
    expect(secondPage.nextCursor).toBeNull();
    expect(firstPage.items[0]).toEqual({
      id: created[0],
      title: 'Summer 2026',
      product: { type: 'photo-book' },
      version: 1,
      fileCount: 0,
      documentBytes: 11,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      expiresAt: expect.any(String),
    });
  });
});

const DAY_MS = 24 * 3600 * 1000;

/** Days from `from` to an ISO time, to a tenth of a day. */
const daysAfter = (iso: string, from: number) => Math.round(((Date.parse(iso) - from) / DAY_MS) * 10) / 10;

describe('retention', () => {
  it('keeps guest projects 30 days and user projects 365 days after the last save', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guestToken = (await guestSession(tenant)).accessToken;
    const userToken = (await userSession(tenant, 'customer-1')).accessToken;
    const now = Date.now();

    // Act
    const guests = await createdProject(guestToken, projectBody());
    const users = await createdProject(userToken, projectBody());

    // Assert
    expect(daysAfter(guests.expiresAt, now)).toBe(30);
    expect(daysAfter(users.expiresAt, now)).toBe(365);
  });

  it("takes the tenant's own retention and moves expiresAt with every save", async () => {
    // Arrange
    const tenant = await createTestTenant();
    await systemDb()
      .entities.tenant.patch({ tenantId: tenant.tenantId })
      .data(({ settings }, { set }) => set(settings.guestProjectRetentionDays, 7))
      .go();
    const token = (await guestSession(tenant)).accessToken;
    const created = await createdProject(token, projectBody());

    // Act
    await new Promise((resolve) => setTimeout(resolve, 50));
    const saved = await savedProject(token, created.id, 1, projectBody());

    // Assert
    expect(daysAfter(created.expiresAt, Date.now())).toBe(7);
    expect(Date.parse(saved.expiresAt)).toBeGreaterThan(Date.parse(created.expiresAt));
    expect(Date.parse(saved.expiresAt) - Date.parse(saved.updatedAt)).toBe(7 * DAY_MS);
  });
});

describe('who may use projects', () => {
  it('refuses partner and upload-link tokens with 403', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const partner = await partnerToken(tenant);
    const link = await uploadLink((await guestSession(tenant)).accessToken);

    // Act
    const byPartner = await createProject(partner, projectBody());
    const byLink = await callApi('GET', '/v1/projects', { token: link.token });

    // Assert
    expect(byPartner.status).toBe(403);
    expect(byLink.status).toBe(403);
    expect(await byLink.json()).toEqual(apiError('insufficient_scope', { required: 'projects:read' }));
  });
});
