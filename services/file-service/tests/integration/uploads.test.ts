import { randomBytes } from 'node:crypto';
import {
  headObject,
  newUpload,
  objectKeyOf,
  putUpload,
  registeredFile,
  processedFile,
} from '../../../../tests/helpers/files';
import { createTestTenant, guestSession, systemDb } from '../../../../tests/helpers/identity';
import { useSystemAws } from '../../../../tests/helpers/system';
import { presignUpload } from '../../src/adapters/storage';

describe('POST /v1/files, then PUT to the presigned URL', () => {
  it('registers a pending file and presigns a PUT bound to its type, size and SHA-256', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const { registration } = newUpload(2048);
    const before = Date.now();

    // Act
    const { file, upload } = await registeredFile(guest.accessToken, registration);

    // Assert
    expect(file).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{16,64}$/),
      ...registration,
      state: 'pending',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(upload).toEqual({
      method: 'PUT',
      url: expect.any(String),
      headers: {
        'content-type': 'image/jpeg',
        'content-length': '2048',
        'x-amz-checksum-sha256': registration.sha256,
      },
      expiresAt: expect.any(String),
    });
    expect(Math.abs(Date.parse(upload.expiresAt) - (before + 15 * 60_000))).toBeLessThan(60_000);
    const query = new URL(upload.url).searchParams;
    // The checksum is a signed header, never a query parameter (real S3 does not check a hoisted one).
    expect(query.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host;x-amz-checksum-sha256');
    expect(query.get('X-Amz-Expires')).toBe('900');
    expect([...query.keys()].map((name) => name.toLowerCase())).not.toContain('x-amz-checksum-sha256');
    // The key is built from ids only, never the file name.
    expect(objectKeyOf(upload.url)).toBe(
      `t/${tenant.tenantId}/o/session#${guest.sessionId}/f/${file.id}/original`,
    );
    const { data: item } = await systemDb()
      .entities.file.get({ tenantId: tenant.tenantId, fileId: file.id })
      .go();
    expect(item).toMatchObject({ owner: `session#${guest.sessionId}`, state: 'pending', longTerm: false });
    // A guest's file goes with the session (its token's expiry, in whole seconds), not after the upload's 24 h.
    expect(Math.abs(Date.parse(item!.expiresAt!) - Date.parse(guest.expiresAt))).toBeLessThan(2_000);
  });

  it('stores the declared bytes, and S3 notifies the processor, which refuses bytes that are no image', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const { bytes, registration } = newUpload(4096, { contentType: 'image/png' });
    const { file, upload } = await registeredFile(guest.accessToken, registration);
    const key = objectKeyOf(upload.url);

    // Act
    const response = await putUpload(upload, bytes);

    // Assert
    expect(response.status).toBe(200);
    await expect(headObject(key)).resolves.toMatchObject({ ContentLength: 4096, ContentType: 'image/png' });
    await expect(processedFile(guest.accessToken, file.id)).resolves.toMatchObject({
      state: 'rejected',
      rejection: { reason: 'unsupported_type' },
    });
  });

  it('lets storage refuse other bytes of the same length with 400 BadDigest, storing nothing', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const { registration } = newUpload(1024);
    const { upload } = await registeredFile(guest.accessToken, registration);
    const otherBytes = new Uint8Array(randomBytes(1024));

    // Act
    const response = await putUpload(upload, otherBytes);

    // Assert
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>BadDigest</Code>');
    await expect(headObject(objectKeyOf(upload.url))).resolves.toBeUndefined();
  });

  it('lets storage refuse another Content-Type with 403, storing nothing', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const { bytes, registration } = newUpload(1024);
    const { upload } = await registeredFile(guest.accessToken, registration);

    // Act
    const response = await putUpload(upload, bytes, { 'content-type': 'image/png' });

    // Assert
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    await expect(headObject(objectKeyOf(upload.url))).resolves.toBeUndefined();
  });

  it('lets storage refuse a body of another length with 403, storing nothing', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const { registration } = newUpload(1024);
    const { upload } = await registeredFile(guest.accessToken, registration);
    const longer = newUpload(1025);

    // Act
    const response = await putUpload(upload, longer.bytes, { 'content-length': '1025' });

    // Assert: the signature refuses it before the checksum would (an unsigned length gets 400 BadDigest)
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    await expect(headObject(objectKeyOf(upload.url))).resolves.toBeUndefined();
  });

  it('lets storage refuse a PUT once its URL has expired with 403, storing nothing', async () => {
    // Arrange: the same upload, signed by the service's presigner 16 minutes ago (URLs live 15)
    useSystemAws();
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const { bytes, registration } = newUpload(1024);
    const { upload } = await registeredFile(guest.accessToken, registration);
    const key = objectKeyOf(upload.url);
    const stale = await presignUpload(
      { key, contentType: registration.contentType, size: registration.size, sha256: registration.sha256 },
      15 * 60,
      new Date(Date.now() - 16 * 60_000),
    );

    // Act
    const response = await putUpload(stale, bytes);

    // Assert
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('Request has expired');
    await expect(headObject(key)).resolves.toBeUndefined();
  });
});
