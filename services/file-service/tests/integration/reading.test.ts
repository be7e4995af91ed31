import { newUpload, registeredFile, type FileView } from '../../../../tests/helpers/files';
import { apiError, callApi, createTestTenant, guestSession } from '../../../../tests/helpers/identity';

interface Page {
  items: FileView[];
  nextCursor: string | null;
}

async function listPage(token: string, query = ''): Promise<{ status: number; body: Page }> {
  const response = await callApi('GET', `/v1/files${query}`, { token });
  return { status: response.status, body: (await response.json()) as Page };
}

describe('GET /v1/files/{id}', () => {
  it('shows the owner its file and hides it from another guest and another tenant with 404', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const owner = await guestSession(tenant);
    const stranger = await guestSession(tenant);
    const foreigner = await guestSession(await createTestTenant());
    const { file } = await registeredFile(owner.accessToken, newUpload().registration);

    // Act
    const own = await callApi('GET', `/v1/files/${file.id}`, { token: owner.accessToken });
    const strangers = await callApi('GET', `/v1/files/${file.id}`, { token: stranger.accessToken });
    const foreigners = await callApi('GET', `/v1/files/${file.id}`, { token: foreigner.accessToken });

    // Assert
    expect(own.status).toBe(200);
    expect(await own.json()).toEqual(file);
    expect(strangers.status).toBe(404);
    expect(await strangers.json()).toEqual(apiError('not_found'));
    expect(foreigners.status).toBe(404);
    expect(await foreigners.json()).toEqual(apiError('not_found'));
  });

  it.each(['AAAAAAAAAAAAAAAAAAAAAA', 'not%23an%23id'])('answers an unknown id %s with 404', async (id) => {
    // Arrange
    const guest = await guestSession(await createTestTenant());

    // Act
    const response = await callApi('GET', `/v1/files/${id}`, { token: guest.accessToken });

    // Assert
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual(apiError('not_found'));
  });
});

describe('GET /v1/files', () => {
  it('pages through 25 files 10 at a time, newest first, without duplicates', async () => {
    // Arrange: registered one after another, so each is newer than the one before
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const registered: string[] = [];
    for (let index = 0; index < 25; index++) {
      registered.push((await registeredFile(guest.accessToken, newUpload(100 + index).registration)).file.id);
    }

    // Act
    const first = await listPage(guest.accessToken, '?limit=10');
    const second = await listPage(guest.accessToken, `?limit=10&cursor=${first.body.nextCursor}`);
    const third = await listPage(guest.accessToken, `?limit=10&cursor=${second.body.nextCursor}`);

    // Assert
    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    const pages = [first.body, second.body, third.body];
    expect(pages.map((page) => page.items.length)).toEqual([10, 10, 5]);
    expect(pages.flatMap((page) => page.items.map((item) => item.id))).toEqual(registered.reverse());
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(second.body.nextCursor).toEqual(expect.any(String));
    expect(third.body.nextCursor).toBeNull();
    expect(first.body.items[0]).toEqual({
      id: registered[0],
      name: expect.any(String),
      contentType: 'image/jpeg',
      size: 124,
      sha256: expect.any(String),
      state: 'pending',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it("lists 20 by default and never another guest's files", async () => {
    // Arrange
    const tenant = await createTestTenant();
    const owner = await guestSession(tenant);
    const stranger = await guestSession(tenant);
    for (let index = 0; index < 21; index++)
      await registeredFile(owner.accessToken, newUpload().registration);
    const { file: strangersFile } = await registeredFile(stranger.accessToken, newUpload().registration);

    // Act
    const owners = await listPage(owner.accessToken);
    const strangers = await listPage(stranger.accessToken);

    // Assert
    expect(owners.body.items).toHaveLength(20);
    expect(owners.body.items.map((item) => item.id)).not.toContain(strangersFile.id);
    expect(strangers.body).toEqual({ items: [strangersFile], nextCursor: null });
  });

  it.each([
    ['limit', '?limit=0'],
    ['limit', '?limit=101'],
    ['limit', '?limit=ten'],
    ['limit', '?limit=1.5'],
    ['cursor', '?cursor=garbage!'],
    ['cursor', `?cursor=${Buffer.from('{"pk":1}').toString('base64url')}`],
    ['cursor', `?cursor=${Buffer.from('[1,2]').toString('base64url')}`],
  ])('refuses a bad %s with 400 naming it (%s)', async (field, query) => {
    // Arrange
    const guest = await guestSession(await createTestTenant());

    // Act
    const response = await callApi('GET', `/v1/files${query}`, { token: guest.accessToken });

    // Assert
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(
      apiError('invalid_request', [{ field, reason: expect.any(String) }]),
    );
  });

  it("refuses another owner's cursor with 400 naming cursor", async () => {
    // Arrange
    const tenant = await createTestTenant();
    const owner = await guestSession(tenant);
    const stranger = await guestSession(tenant);
    for (let index = 0; index < 2; index++) await registeredFile(owner.accessToken, newUpload().registration);
    const { nextCursor } = (await listPage(owner.accessToken, '?limit=1')).body;

    // Act
    const response = await callApi('GET', `/v1/files?cursor=${nextCursor}`, { token: stranger.accessToken });

    // Assert
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(
      apiError('invalid_request', [{ field: 'cursor', reason: expect.any(String) }]),
    );
  });
});
