import {
  downloadLink,
  objectBytes,
  processedFile,
  requestDownload,
  uploadFile,
  type FileView,
} from '../../../../tests/helpers/files';
import {
  apiError,
  callApi,
  createTestTenant,
  guestSession,
  uploadLink,
} from '../../../../tests/helpers/identity';
import { jpegImage } from '../helpers/images';

/** A guest with one `ready` photo. */
async function ownerWithPhoto(tenant: { tenantId: string }) {
  const owner = await guestSession(tenant);
  const photo = await jpegImage(40, 30);
  const { file, key } = await uploadFile(owner.accessToken, photo);
  const ready = await processedFile(owner.accessToken, file.id);
  if (ready.state !== 'ready') throw new Error(`not ready: ${JSON.stringify(ready)}`);
  return { owner, photo, file: ready, key };
}

describe("another owner's file", () => {
  it('is a 404 to another session on get, download and delete, missing from its list, and stays intact', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const { owner, photo, file, key } = await ownerWithPhoto(tenant);
    const stranger = await guestSession(tenant);

    // Act
    const get = await callApi('GET', `/v1/files/${file.id}`, { token: stranger.accessToken });
    const list = await callApi('GET', '/v1/files', { token: stranger.accessToken });
    const download = await requestDownload(stranger.accessToken, file.id);
    const deletion = await callApi('DELETE', `/v1/files/${file.id}`, { token: stranger.accessToken });

    // Assert
    for (const response of [get, download, deletion]) {
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual(apiError('not_found'));
    }
    expect(await list.json()).toEqual({ items: [], nextCursor: null });
    const own = await callApi('GET', `/v1/files/${file.id}`, { token: owner.accessToken });
    expect((await own.json()) as FileView).toEqual(file);
    const { url } = await downloadLink(owner.accessToken, file.id);
    expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(Buffer.from(photo));
    expect(await objectBytes(key.replace(/original$/, 'thumbnail'))).toBeDefined();
  });

  it('is a 404 to a session of another tenant on download and delete', async () => {
    // Arrange
    const { file } = await ownerWithPhoto(await createTestTenant());
    const foreigner = await guestSession(await createTestTenant());

    // Act
    const download = await requestDownload(foreigner.accessToken, file.id);
    const deletion = await callApi('DELETE', `/v1/files/${file.id}`, { token: foreigner.accessToken });

    // Assert
    expect([download.status, deletion.status]).toEqual([404, 404]);
  });
});

describe('an upload-link token', () => {
  it("cannot list, download or delete (403), which leaves its owner's file intact", async () => {
    // Arrange
    const tenant = await createTestTenant();
    const { owner, file } = await ownerWithPhoto(tenant);
    const link = await uploadLink(owner.accessToken);

    // Act
    const list = await callApi('GET', '/v1/files', { token: link.token });
    const download = await requestDownload(link.token, file.id);
    const deletion = await callApi('DELETE', `/v1/files/${file.id}`, { token: link.token });

    // Assert
    for (const response of [list, download, deletion]) {
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual(apiError('forbidden'));
    }
    const own = await callApi('GET', `/v1/files/${file.id}`, { token: owner.accessToken });
    expect(await own.json()).toMatchObject({ id: file.id, state: 'ready' });
  });
});
