import { newUpload, registerFile, registeredFile, type FileView } from '../../../../tests/helpers/files';
import {
  apiError,
  callApi,
  createTestTenant,
  guestSession,
  partnerToken,
  systemDb,
  uploadLink,
} from '../../../../tests/helpers/identity';

const MIB = 1024 * 1024;

describe('POST /v1/files validation and callers', () => {
  it.each([
    ['name', { name: '' }],
    ['name', { name: 'x'.repeat(256) }],
    ['contentType', { contentType: 'image/gif' }],
    ['contentType', { contentType: 'text/html' }],
    ['size', { size: 0 }],
    ['size', { size: 1.5 }],
    ['size', { size: '1024' }],
    ['sha256', { sha256: 'not-a-digest' }],
    ['sha256', { sha256: Buffer.alloc(16).toString('base64') }],
  ])('refuses a bad %s with 400 naming it (%j)', async (field, override) => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const body = { ...newUpload().registration, ...override };

    // Act
    const response = await registerFile(guest.accessToken, body);

    // Assert
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(
      apiError('invalid_request', [{ field, reason: expect.any(String) }]),
    );
  });

  it('refuses more than 200 MiB with 413 naming size, and takes exactly 200 MiB', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const { registration } = newUpload();

    // Act
    const tooLarge = await registerFile(guest.accessToken, { ...registration, size: 200 * MIB + 1 });
    const largest = await registerFile(guest.accessToken, { ...registration, size: 200 * MIB });

    // Assert
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toEqual(
      apiError('payload_too_large', [{ field: 'size', reason: expect.any(String) }]),
    );
    expect(largest.status).toBe(201);
  });

  it('registers through an upload link for the link owner, who then lists the file', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const link = await uploadLink(guest.accessToken, { longTerm: true });

    // Act
    const { file } = await registeredFile(link.token, newUpload().registration);

    // Assert
    const list = await callApi('GET', '/v1/files', { token: guest.accessToken });
    expect(((await list.json()) as { items: FileView[] }).items.map((item) => item.id)).toEqual([file.id]);
    const read = await callApi('GET', `/v1/files/${file.id}`, { token: link.token });
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(file);
    // A long-term link's uploads outlive the guest session.
    const { data: item } = await systemDb()
      .entities.file.get({ tenantId: tenant.tenantId, fileId: file.id })
      .go();
    expect(item).toMatchObject({ owner: `session#${guest.sessionId}`, longTerm: true });
  });

  it('refuses an upload link listing files with 403', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const link = await uploadLink(guest.accessToken);

    // Act
    const response = await callApi('GET', '/v1/files', { token: link.token });

    // Assert
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual(apiError('forbidden'));
  });

  it("hides another owner's file from an upload link with 404", async () => {
    // Arrange
    const tenant = await createTestTenant();
    const owner = await guestSession(tenant);
    const other = await guestSession(tenant);
    const { file } = await registeredFile(other.accessToken, newUpload().registration);
    const link = await uploadLink(owner.accessToken);

    // Act
    const response = await callApi('GET', `/v1/files/${file.id}`, { token: link.token });

    // Assert
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual(apiError('not_found'));
  });

  it.each([
    ['POST', '/v1/files', newUpload().registration],
    ['GET', '/v1/files', undefined],
    ['GET', '/v1/files/AAAAAAAAAAAAAAAAAAAAAA', undefined],
  ])('refuses a partner token (no files scope) on %s %s with 403', async (method, path, body) => {
    // Arrange
    const tenant = await createTestTenant();
    const token = await partnerToken(tenant);

    // Act
    const response = await callApi(method, path, { token, body });

    // Assert
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual(
      apiError('insufficient_scope', { required: expect.stringMatching(/^files:/) }),
    );
  });

  it('refuses a call without a token with 401', async () => {
    // Act
    const response = await callApi('POST', '/v1/files', { body: newUpload().registration });

    // Assert
    expect(response.status).toBe(401);
  });
});
