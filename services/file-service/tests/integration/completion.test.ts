import { decodeJwt } from 'jose';
import sharp from 'sharp';
import {
  completeUpload,
  headObject,
  newUpload,
  objectKeyOf,
  processedFile,
  putObjectUnannounced,
  registeredFile,
  registerFile,
  sha256Base64,
  uploadFile,
  uploadParts,
  type FileView,
  type MultipartInstructions,
} from '../../../../tests/helpers/files';
import {
  apiError,
  callApi,
  createTestTenant,
  guestSession,
  systemDb,
  uploadLink,
} from '../../../../tests/helpers/identity';
import { jpegImage } from '../helpers/images';

const MIB = 1024 * 1024;

/** A valid image of more than 70 MiB: an uncompressed 5000x5000 RGB TIFF (75,000,000 bytes of pixels). */
const largeTiff = () =>
  sharp({ create: { width: 5000, height: 5000, channels: 3, background: { r: 90, g: 160, b: 40 } } })
    .tiff({ compression: 'none' })
    .toBuffer();

async function registeredMultipart(token: string, bytes: Uint8Array) {
  const response = await registerFile(token, {
    name: 'poster.tif',
    contentType: 'image/tiff',
    size: bytes.byteLength,
    sha256: sha256Base64(bytes),
  });
  if (response.status !== 201) throw new Error(`register: ${response.status} ${await response.text()}`);
  return (await response.json()) as { file: FileView; upload: MultipartInstructions };
}

describe('multipart uploads above 64 MiB', () => {
  let tiff: Buffer;
  beforeAll(async () => {
    tiff = await largeTiff();
  });

  it('presigns 8 MiB parts, completes them with POST /complete, and the file becomes ready', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    expect(tiff.byteLength).toBeGreaterThan(70 * MIB);
    const partCount = Math.ceil(tiff.byteLength / (8 * MIB));

    // Act
    const { file, upload } = await registeredMultipart(guest.accessToken, tiff);
    const parts = await uploadParts(upload, tiff);
    const completed = await completeUpload(guest.accessToken, file.id, { parts });

    // Assert
    expect(upload).toEqual({
      method: 'MULTIPART',
      partSize: 8 * MIB,
      parts: Array.from({ length: partCount }, (_, index) => ({
        partNumber: index + 1,
        url: expect.stringContaining(`partNumber=${index + 1}`),
      })),
      expiresAt: expect.any(String),
    });
    expect(Math.abs(Date.parse(upload.expiresAt) - (Date.now() + 60 * 60_000))).toBeLessThan(120_000);
    const { data: item } = await systemDb()
      .entities.file.get({ tenantId: tenant.tenantId, fileId: file.id })
      .go();
    expect(item?.multipart).toEqual({ uploadId: expect.any(String), partSize: 8 * MIB, partCount });
    expect(completed.status).toBe(202);
    await expect(processedFile(guest.accessToken, file.id, 90_000)).resolves.toMatchObject({
      state: 'ready',
      format: 'tiff',
      width: 5000,
      height: 5000,
      size: tiff.byteLength,
    });
  }, 150_000);

  it('refuses a part of another length with 403: each part URL signs its size', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const { upload } = await registeredMultipart(guest.accessToken, tiff);

    // Act
    const response = await fetch(upload.parts[0]!.url, { method: 'PUT', body: tiff.subarray(0, 5 * MIB) });

    // Assert
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('refuses a missing or incomplete parts list with 400 naming parts, and parts never uploaded with 409', async () => {
    // Arrange: only the first part is uploaded
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const { file, upload } = await registeredMultipart(guest.accessToken, tiff);
    const [first] = await uploadParts({ ...upload, parts: upload.parts.slice(0, 1) }, tiff);
    const invented = upload.parts.map(({ partNumber }) => ({ partNumber, etag: first!.etag }));

    // Act
    const missing = await completeUpload(guest.accessToken, file.id);
    const short = await completeUpload(guest.accessToken, file.id, { parts: [first] });
    const unordered = await completeUpload(guest.accessToken, file.id, { parts: [...invented].reverse() });
    const malformed = await completeUpload(guest.accessToken, file.id, {
      parts: [{ partNumber: 0, etag: '' }],
    });
    const notUploaded = await completeUpload(guest.accessToken, file.id, { parts: invented });

    // Assert
    for (const response of [missing, short, unordered]) {
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(
        apiError('invalid_request', [{ field: 'parts', reason: expect.any(String) }]),
      );
    }
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual(
      apiError('invalid_request', [
        { field: 'parts.0.partNumber', reason: expect.any(String) },
        { field: 'parts.0.etag', reason: expect.any(String) },
      ]),
    );
    expect(notUploaded.status).toBe(409);
    expect(await notUploaded.json()).toEqual(
      apiError('upload_incomplete', [{ field: 'parts', reason: expect.any(String) }]),
    );
    await expect(headObject(objectKeyOf(upload.parts[0]!.url))).resolves.toBeUndefined();
    const after = await callApi('GET', `/v1/files/${file.id}`, { token: guest.accessToken });
    expect(await after.json()).toMatchObject({ state: 'pending' });
  });
});

describe('POST /v1/files/{id}/complete after a single PUT', () => {
  it('sends the processor a hint when S3 announced nothing, and the file becomes ready', async () => {
    // Arrange: the object is stored, but S3's notification is late
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const photo = await jpegImage();
    const { file, upload } = await registeredFile(guest.accessToken, {
      name: 'photo.jpg',
      contentType: 'image/jpeg',
      size: photo.byteLength,
      sha256: sha256Base64(photo),
    });
    await putObjectUnannounced(objectKeyOf(upload.url), photo, 'image/jpeg');

    // Act
    const response = await completeUpload(guest.accessToken, file.id);

    // Assert
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ id: file.id, state: 'pending' });
    await expect(processedFile(guest.accessToken, file.id)).resolves.toMatchObject({ state: 'ready' });
  });

  it('answers 409 upload_missing before anything is uploaded', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const { file } = await registeredFile(guest.accessToken, newUpload().registration);

    // Act
    const response = await completeUpload(guest.accessToken, file.id);

    // Assert
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual(apiError('upload_missing'));
  });

  it('answers 202 again for a ready file and 409 upload_rejected for a rejected one', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const ready = await uploadFile(guest.accessToken, await jpegImage());
    const rejected = await uploadFile(guest.accessToken, newUpload(2048).bytes);
    await processedFile(guest.accessToken, ready.file.id);
    await processedFile(guest.accessToken, rejected.file.id);

    // Act
    const again = await completeUpload(guest.accessToken, ready.file.id);
    const refused = await completeUpload(guest.accessToken, rejected.file.id);

    // Assert
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ state: 'ready' });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual(apiError('upload_rejected', { reason: 'unsupported_type' }));
  });

  it("answers 404 for another owner's file", async () => {
    // Arrange
    const tenant = await createTestTenant();
    const owner = await guestSession(tenant);
    const other = await guestSession(tenant);
    const { file } = await registeredFile(owner.accessToken, newUpload().registration);

    // Act
    const response = await completeUpload(other.accessToken, file.id);

    // Assert
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual(apiError('not_found'));
  });
});

describe('upload-link scoping', () => {
  it('lets an upload link read and complete its own uploads, not other files of the same owner', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const link = await uploadLink(guest.accessToken);
    const otherLink = await uploadLink(guest.accessToken);
    const fromLink = await registeredFile(link.token, newUpload().registration);
    const fromSession = await registeredFile(guest.accessToken, newUpload().registration);
    const fromOtherLink = await registeredFile(otherLink.token, newUpload().registration);

    // Act
    const own = await callApi('GET', `/v1/files/${fromLink.file.id}`, { token: link.token });
    const sessions = await callApi('GET', `/v1/files/${fromSession.file.id}`, { token: link.token });
    const otherLinks = await callApi('GET', `/v1/files/${fromOtherLink.file.id}`, { token: link.token });
    const completeOwn = await completeUpload(link.token, fromLink.file.id);
    const completeSessions = await completeUpload(link.token, fromSession.file.id);
    const sessionReadsLinks = await callApi('GET', `/v1/files/${fromLink.file.id}`, {
      token: guest.accessToken,
    });

    // Assert
    expect(own.status).toBe(200);
    expect(await own.json()).toEqual(fromLink.file);
    for (const response of [sessions, otherLinks, completeSessions]) {
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual(apiError('not_found'));
    }
    // Its own file is found; nothing is uploaded yet.
    expect(completeOwn.status).toBe(409);
    expect(sessionReadsLinks.status).toBe(200);
    const { data: item } = await systemDb()
      .entities.file.get({ tenantId: tenant.tenantId, fileId: fromLink.file.id })
      .go();
    expect(item?.uploadLinkId).toBe(decodeJwt(link.token).jti);
  });
});
