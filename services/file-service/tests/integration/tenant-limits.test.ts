import {
  newUpload,
  processedFile,
  putUpload,
  registerBatch,
  registeredFile,
  registerFile,
  sha256Base64,
} from '../../../../tests/helpers/files';
import { apiError, createTestTenant, guestSession, systemDb } from '../../../../tests/helpers/identity';
import { jpegImage, noisyJpeg, pngImage } from '../helpers/images';

type UploadSettings = { maxUploadBytes?: number; uploadContentTypes?: string[] };

const setLimits = (tenantId: string, settings: UploadSettings) =>
  systemDb()
    .entities.tenant.patch({ tenantId })
    .set({ settings: { guestSessionsPerMinute: 60, ...settings } })
    .go();

/** A fresh shop with these upload settings (the services cache a tenant's limits once they have read it). */
async function tenantWithLimits(settings: UploadSettings) {
  const tenant = await createTestTenant();
  await setLimits(tenant.tenantId, settings);
  return tenant;
}

describe("the tenant's upload limits", () => {
  it('refuses a declared size over the limit with 413 and a type it does not take with 400, each naming its field', async () => {
    // Arrange
    const tenant = await tenantWithLimits({
      maxUploadBytes: 4096,
      uploadContentTypes: ['image/png', 'image/jpeg'],
    });
    const guest = await guestSession(tenant);
    const { registration } = newUpload(1024);

    // Act
    const tooLarge = await registerFile(guest.accessToken, { ...registration, size: 4097 });
    const largest = await registerFile(guest.accessToken, { ...registration, size: 4096 });
    const webp = await registerFile(guest.accessToken, { ...registration, contentType: 'image/webp' });
    const batch = await registerBatch(guest.accessToken, {
      items: [registration, { ...registration, size: 4097 }, { ...registration, contentType: 'image/tiff' }],
    });

    // Assert
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toEqual(
      apiError('payload_too_large', [{ field: 'size', reason: 'must be at most 4096 bytes' }]),
    );
    expect(largest.status).toBe(201);
    expect(webp.status).toBe(400);
    expect(await webp.json()).toEqual(
      apiError('invalid_request', [
        { field: 'contentType', reason: expect.stringContaining('image/jpeg, image/png') },
      ]),
    );
    expect(batch.status).toBe(201);
    expect(((await batch.json()) as { items: unknown[] }).items).toEqual([
      {
        file: expect.objectContaining({ state: 'pending' }),
        upload: expect.objectContaining({ method: 'PUT' }),
      },
      apiError('payload_too_large', [{ field: 'size', reason: 'must be at most 4096 bytes' }]),
      apiError('invalid_request', [{ field: 'contentType', reason: expect.any(String) }]),
    ]);
  });

  it('keeps the defaults for a tenant that sets nothing: 200 MiB and every sniffable type', async () => {
    // Arrange
    const tenant = await tenantWithLimits({});
    const guest = await guestSession(tenant);
    const { registration } = newUpload(1024);

    // Act
    const tiff = await registerFile(guest.accessToken, {
      ...registration,
      contentType: 'image/tiff',
      size: 200 * 1024 * 1024,
    });

    // Assert
    expect(tiff.status).toBe(201);
  });

  it('makes the processor reject stored bytes the tenant no longer takes', async () => {
    // Arrange: registered under the defaults, then the shop narrows its limits before the bytes arrive
    const tenant = await tenantWithLimits({});
    const guest = await guestSession(tenant);
    const [png, smallJpeg, largeJpeg] = await Promise.all([pngImage(), jpegImage(), noisyJpeg(256, 192)]);
    const registered = await Promise.all(
      [
        [png, 'image/png'],
        [smallJpeg, 'image/jpeg'],
        [largeJpeg, 'image/jpeg'],
      ].map(([bytes, contentType]) =>
        registeredFile(guest.accessToken, {
          name: 'photo',
          contentType: contentType as string,
          size: (bytes as Buffer).byteLength,
          sha256: sha256Base64(bytes as Buffer),
        }),
      ),
    );
    await setLimits(tenant.tenantId, {
      maxUploadBytes: smallJpeg.byteLength,
      uploadContentTypes: ['image/jpeg'],
    });

    // Act
    for (const [index, bytes] of [png, smallJpeg, largeJpeg].entries()) {
      expect((await putUpload(registered[index]!.upload, bytes)).status).toBe(200);
    }

    // Assert
    const [pngFile, smallFile, largeFile] = await Promise.all(
      registered.map(({ file }) => processedFile(guest.accessToken, file.id)),
    );
    expect(pngFile).toMatchObject({ state: 'rejected', rejection: { reason: 'unsupported_type' } });
    expect(smallFile).toMatchObject({ state: 'ready' });
    expect(largeFile).toMatchObject({ state: 'rejected', rejection: { reason: 'too_large' } });
  });
});
