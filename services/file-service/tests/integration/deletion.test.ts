import { randomBytes } from 'node:crypto';
import { CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { expiryPartition, fileObjectKey, type FileObject } from '@pixelvault/core';
import {
  localS3,
  newUpload,
  objectBytes,
  processedFile,
  registeredFile,
  takeFileEvents,
  uploadFile,
} from '../../../../tests/helpers/files';
import {
  apiError,
  callApi,
  createTestTenant,
  guestSession,
  systemDb,
} from '../../../../tests/helpers/identity';
import { testSystem } from '../../../../tests/helpers/system';
import { jpegImage, pngBomb } from '../helpers/images';

const deleteFile = (token: string, fileId: string) => callApi('DELETE', `/v1/files/${fileId}`, { token });

const fileItem = async (tenantId: string, fileId: string) =>
  (await systemDb().entities.file.get({ tenantId, fileId }).go()).data;

const OBJECTS: FileObject[] = ['original', 'thumbnail', 'preview'];

/** Which of a file's objects storage still holds. */
async function storedObjects(key: string): Promise<string[]> {
  const held = await Promise.all(
    OBJECTS.map(async (object) =>
      (await objectBytes(key.replace(/original$/, object))) ? object : undefined,
    ),
  );
  return held.filter((object) => object !== undefined);
}

/** A guest's photo, uploaded, processed to `ready`, with its processing events already taken. */
async function readyPhoto() {
  const tenant = await createTestTenant();
  const guest = await guestSession(tenant);
  const { file, key } = await uploadFile(guest.accessToken, await jpegImage(48, 32));
  const processed = await processedFile(guest.accessToken, file.id);
  if (processed.state !== 'ready') throw new Error(`not ready: ${JSON.stringify(processed)}`);
  await takeFileEvents(file.id, 2);
  return { tenant, guest, file: processed, key };
}

describe('DELETE /v1/files/{id}', () => {
  it('deletes a ready file: 204, then 404 everywhere, its objects gone, an event sent, a tombstone with ttl', async () => {
    // Arrange
    const { tenant, guest, file, key } = await readyPhoto();
    expect(await storedObjects(key)).toEqual(OBJECTS);
    const before = Date.now();

    // Act
    const response = await deleteFile(guest.accessToken, file.id);

    // Assert
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    const get = await callApi('GET', `/v1/files/${file.id}`, { token: guest.accessToken });
    expect(get.status).toBe(404);
    const list = await callApi('GET', '/v1/files', { token: guest.accessToken });
    expect(await list.json()).toEqual({ items: [], nextCursor: null });
    const download = await callApi('GET', `/v1/files/${file.id}/download`, { token: guest.accessToken });
    expect(download.status).toBe(404);
    const again = await deleteFile(guest.accessToken, file.id);
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual(apiError('not_found'));
    expect(await storedObjects(key)).toEqual([]);
    const events = await takeFileEvents(file.id, 1, 2_000);
    expect(events).toEqual([expect.objectContaining({ from: 'ready', to: 'deleted' })]);
    const item = await fileItem(tenant.tenantId, file.id);
    expect(item).toMatchObject({ state: 'deleted' });
    expect(Math.abs(item!.ttl! * 1000 - (before + 7 * 24 * 3600_000))).toBeLessThan(60_000);
  });

  it('takes a pending registration out of the expiry index, so the expiry job never sees the tombstone', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const { file } = await registeredFile(guest.accessToken, newUpload().registration);
    const { expiresAt } = (await fileItem(tenant.tenantId, file.id))!;
    const expiring = () =>
      systemDb()
        .entities.file.query.byExpiry({ expiryPartition: expiryPartition(expiresAt!, file.id) })
        .go({ pages: 'all' })
        .then(({ data }) => data.map((item) => item.fileId));
    expect(await expiring()).toContain(file.id);

    // Act
    const response = await deleteFile(guest.accessToken, file.id);

    // Assert
    expect(response.status).toBe(204);
    expect(await expiring()).not.toContain(file.id);
    const item = await fileItem(tenant.tenantId, file.id);
    expect(item).toMatchObject({ state: 'deleted', ttl: expect.any(Number) });
    expect(item!.expiresAt).toBeUndefined();
    const events = await takeFileEvents(file.id, 1);
    expect(events).toEqual([expect.objectContaining({ from: 'pending', to: 'deleted' })]);
  });

  it.each([
    ['pinCount', 'file_pinned'],
    ['refCount', 'file_in_use'],
  ] as const)('refuses a file whose %s is 1 with 409 %s and deletes nothing', async (counter, code) => {
    // Arrange: an order pins it, or a project uses it
    const { tenant, guest, file, key } = await readyPhoto();
    await systemDb()
      .entities.file.patch({ tenantId: tenant.tenantId, fileId: file.id })
      .set({ [counter]: 1 })
      .go();

    // Act
    const response = await deleteFile(guest.accessToken, file.id);

    // Assert
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual(apiError(code));
    const get = await callApi('GET', `/v1/files/${file.id}`, { token: guest.accessToken });
    expect(await get.json()).toMatchObject({ id: file.id, state: 'ready' });
    expect(await storedObjects(key)).toEqual(OBJECTS);
    expect(await takeFileEvents(file.id, 0, 2_000)).toEqual([]);
    expect((await fileItem(tenant.tenantId, file.id))!.ttl).toBeUndefined();
  });

  it('aborts the multipart upload of a pending multipart file, so its parts go too', async () => {
    // Arrange: a multipart registration with one part uploaded (written as registration records it)
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const owner = `session#${guest.sessionId}`;
    const fileId = randomBytes(16).toString('base64url');
    const key = fileObjectKey({ tenantId: tenant.tenantId, owner, fileId }, 'original');
    const bucket = testSystem().outputs.BucketName!;
    const s3 = localS3();
    try {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      const part = { Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: randomBytes(1024) };
      await s3.send(new UploadPartCommand(part));
      await systemDb()
        .entities.file.create({
          name: 'panorama.tif',
          contentType: 'image/tiff',
          size: 64 * 1024 * 1024,
          sha256: randomBytes(32).toString('base64'),
          tenantId: tenant.tenantId,
          fileId,
          owner,
          multipart: { uploadId: UploadId!, partSize: 8 * 1024 * 1024, partCount: 8 },
        })
        .go();

      // Act
      const response = await deleteFile(guest.accessToken, fileId);

      // Assert
      expect(response.status).toBe(204);
      await expect(s3.send(new UploadPartCommand({ ...part, PartNumber: 2 }))).rejects.toMatchObject({
        name: 'NoSuchUpload',
      });
      expect(await fileItem(tenant.tenantId, fileId)).toMatchObject({ state: 'deleted' });
    } finally {
      s3.destroy();
    }
  });

  it('stays deleted when the processor is still working on the file, and keeps none of its variants', async () => {
    // Arrange: an 81 MP PNG, tiny to upload but seconds to render; wait until the processor has claimed it
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const { file, key } = await uploadFile(guest.accessToken, pngBomb(9_000), { contentType: 'image/png' });
    const deadline = Date.now() + 20_000;
    while ((await fileItem(tenant.tenantId, file.id))?.state !== 'processing') {
      if (Date.now() > deadline) throw new Error('the processor never claimed the file');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    // Act
    const response = await deleteFile(guest.accessToken, file.id);

    // Assert: the processor publishes its event after it finished (and removed what it wrote)
    expect(response.status).toBe(204);
    const events = await takeFileEvents(file.id, 2, 3_000);
    expect(events.map(({ from, to }) => `${from}->${to}`).sort()).toEqual([
      'pending->processing',
      'processing->deleted',
    ]);
    expect(await fileItem(tenant.tenantId, file.id)).toMatchObject({ state: 'deleted' });
    expect((await fileItem(tenant.tenantId, file.id))!.variants).toBeUndefined();
    expect(await storedObjects(key)).toEqual([]);
  }, 60_000);
});
