import sharp from 'sharp';
import {
  downloadLink,
  newUpload,
  processedFile,
  registeredFile,
  requestDownload,
  uploadFile,
} from '../../../../tests/helpers/files';
import {
  apiError,
  createTestTenant,
  guestSession,
  partnerToken,
  systemDb,
  uploadLink,
} from '../../../../tests/helpers/identity';
import { useSystemAws } from '../../../../tests/helpers/system';
import { presignDownload } from '../../src/adapters/storage';
import { downloadTarget } from '../../src/domain/download';
import {
  BLUE,
  expectColour,
  GPS_SENTINEL,
  jpegImage,
  orientedJpegWithGps,
  pixelAt,
  RED,
} from '../helpers/images';

/** A guest's photo, uploaded and processed to `ready`. */
async function readyPhoto(bytes: Uint8Array, name?: string) {
  const tenant = await createTestTenant();
  const guest = await guestSession(tenant);
  const { file, key } = await uploadFile(guest.accessToken, bytes, name === undefined ? {} : { name });
  const processed = await processedFile(guest.accessToken, file.id);
  if (processed.state !== 'ready') throw new Error(`not ready: ${JSON.stringify(processed)}`);
  return { tenant, guest, file: processed, key };
}

describe('GET /v1/files/{id}/download', () => {
  it('serves upright WebP thumbnail and preview of an EXIF-rotated JPEG, without EXIF, inline', async () => {
    // Arrange: 2400x1200 landscape pixels, red left, with orientation 6: shown 1200x2400 portrait, red on top
    const { guest, file } = await readyPhoto(await orientedJpegWithGps(2400, 1200), 'Strand.jpg');
    const sizes = { thumbnail: 256, preview: 1600 };

    for (const [variant, maxSide] of Object.entries(sizes)) {
      // Act
      const { url, expiresAt } = await downloadLink(guest.accessToken, file.id, variant);
      const response = await fetch(url);

      // Assert
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/webp');
      expect(response.headers.get('content-disposition')).toBe(
        `inline; filename="Strand-${variant}.webp"; filename*=UTF-8''Strand-${variant}.webp`,
      );
      expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('300');
      expect(Math.abs(Date.parse(expiresAt) - (Date.now() + 300_000))).toBeLessThan(30_000);
      const bytes = Buffer.from(await response.arrayBuffer());
      const metadata = await sharp(bytes).metadata();
      expect(metadata).toMatchObject({ format: 'webp', width: maxSide / 2, height: maxSide });
      expect(metadata.exif).toBeUndefined();
      expect(bytes.includes(GPS_SENTINEL)).toBe(false);
      expectColour(await pixelAt(bytes, metadata.width / 2, metadata.height / 8), RED);
      expectColour(await pixelAt(bytes, metadata.width / 2, (metadata.height * 7) / 8), BLUE);
    }
  });

  it('serves the original byte for byte as an attachment under a safe version of a nasty name', async () => {
    // Arrange
    const photo = await jpegImage(64, 48);
    const nasty = '../..\\"Grüße"\r\nSet-Cookie: x=1; 日本\u202Egpj.exe.jpg';
    const { guest, file } = await readyPhoto(photo, nasty);

    // Act
    const { url } = await downloadLink(guest.accessToken, file.id);
    const response = await fetch(url);

    // Assert
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('set-cookie')).toBeNull();
    const disposition = response.headers.get('content-disposition');
    expect(disposition).toBe(
      `attachment; filename="Gru_eSet-Cookie_ x=1; __gpj.exe.jpg"; ` +
        `filename*=UTF-8''Gr%C3%BC%C3%9FeSet-Cookie_%20x%3D1%3B%20%E6%97%A5%E6%9C%ACgpj.exe.jpg`,
    );
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from(photo));
  });

  it('gives a URL that storage refuses with 403 once 5 minutes have passed', async () => {
    // Arrange: the same download, signed by the service's presigner 6 minutes ago
    useSystemAws();
    const { tenant, file } = await readyPhoto(await jpegImage(32, 32));
    const { data: item } = await systemDb()
      .entities.file.get({ tenantId: tenant.tenantId, fileId: file.id })
      .go();
    const stale = await presignDownload(
      downloadTarget(item!, 'original'),
      300,
      new Date(Date.now() - 6 * 60_000),
    );

    // Act
    const response = await fetch(stale.url);

    // Assert
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('Request has expired');
  });

  it('gives a URL whose Content-Disposition nobody can change: storage refuses an edited one with 403', async () => {
    // Arrange
    const { guest, file } = await readyPhoto(await jpegImage(32, 32), 'a.jpg');
    const { url } = await downloadLink(guest.accessToken, file.id);
    const edited = new URL(url);
    edited.searchParams.set('response-content-disposition', 'inline; filename="a.html"');

    // Act
    const response = await fetch(edited);

    // Assert
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('refuses a file that is not ready with 409 not_ready naming its state', async () => {
    // Arrange: registered, never uploaded
    const guest = await guestSession(await createTestTenant());
    const { file } = await registeredFile(guest.accessToken, newUpload().registration);

    // Act
    const response = await requestDownload(guest.accessToken, file.id, '?variant=thumbnail');

    // Assert
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual(apiError('not_ready', { state: 'pending' }));
  });

  it.each(['?variant=large', '?variant=', '?variant=ORIGINAL'])(
    'refuses %s with 400 naming variant',
    async (query) => {
      // Arrange
      const guest = await guestSession(await createTestTenant());
      const { file } = await registeredFile(guest.accessToken, newUpload().registration);

      // Act
      const response = await requestDownload(guest.accessToken, file.id, query);

      // Assert
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(
        apiError('invalid_request', [{ field: 'variant', reason: expect.any(String) }]),
      );
    },
  );

  it("refuses an upload link with 403, even for its owner's file", async () => {
    // Arrange
    const guest = await guestSession(await createTestTenant());
    const link = await uploadLink(guest.accessToken);
    const { file } = await registeredFile(link.token, newUpload().registration);

    // Act
    const response = await requestDownload(link.token, file.id);

    // Assert
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual(apiError('forbidden'));
  });

  it('refuses a partner token (no files scope) with 403', async () => {
    // Arrange
    const token = await partnerToken(await createTestTenant());

    // Act
    const response = await requestDownload(token, 'AAAAAAAAAAAAAAAAAAAAAA');

    // Assert
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual(apiError('insufficient_scope', { required: 'files:read' }));
  });
});
