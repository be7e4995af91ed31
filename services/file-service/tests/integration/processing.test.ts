import sharp from 'sharp';
import {
  invokeProcessor,
  objectBytes,
  objectCreatedMessage,
  objectKeyOf,
  processedFile,
  putObjectDirectly,
  registeredFile,
  sendMessages,
  sha256Base64,
  takeFileEvents,
  uploadFile,
} from '../../../../tests/helpers/files';
import {
  createTestTenant,
  guestSession,
  systemDb,
  uploadLink,
  userSession,
} from '../../../../tests/helpers/identity';
import { testSystem } from '../../../../tests/helpers/system';
import {
  BLUE,
  expectColour,
  GPS_SENTINEL,
  heicImage,
  jpegImage,
  noisyJpeg,
  orientedJpegWithGps,
  pixelAt,
  pngBomb,
  RED,
  textFile,
} from '../helpers/images';

const variantKey = (originalKey: string, variant: string) => originalKey.replace(/original$/, variant);

describe('post-upload processing', () => {
  it('makes an uploaded photo ready with upright thumbnail and preview that carry no EXIF', async () => {
    // Arrange: landscape pixels with EXIF orientation 6, i.e. shown as portrait, red on top
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const photo = await orientedJpegWithGps();

    // Act
    const { file, key } = await uploadFile(guest.accessToken, photo);
    const processed = await processedFile(guest.accessToken, file.id);

    // Assert
    expect(processed).toMatchObject({ state: 'ready', format: 'jpeg', width: 200, height: 400 });
    expect(processed.variants).toEqual({
      thumbnail: { width: 128, height: 256 },
      preview: { width: 200, height: 400 },
    });
    for (const variant of ['thumbnail', 'preview']) {
      const bytes = (await objectBytes(variantKey(key, variant)))!;
      const metadata = await sharp(bytes).metadata();
      expect(metadata.format).toBe('webp');
      expect(metadata.exif).toBeUndefined();
      expect(metadata.height).toBeGreaterThan(metadata.width);
      expect(bytes.includes(GPS_SENTINEL)).toBe(false);
      expectColour(await pixelAt(bytes, metadata.width / 2, metadata.height / 8), RED);
      expectColour(await pixelAt(bytes, metadata.width / 2, (metadata.height * 7) / 8), BLUE);
    }
    const events = await takeFileEvents(file.id, 2);
    expect(events.map(({ from, to }) => `${from}->${to}`)).toEqual([
      'pending->processing',
      'processing->ready',
    ]);
  });

  it("keeps a guest's ready file expiring with the session; a user's or a long-term link's leaves the expiry index", async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const user = await userSession(tenant, `u-${Date.now()}`);
    const link = await uploadLink(guest.accessToken, { longTerm: true });
    const photo = await jpegImage(32, 32);

    // Act
    const uploads = await Promise.all(
      [guest.accessToken, user.accessToken, link.token].map((token) => uploadFile(token, photo)),
    );
    const ready = await Promise.all(
      // A link reads only its own uploads; the guest's session reads them all.
      uploads.map(({ file }, index) => processedFile([guest, user, guest][index]!.accessToken, file.id)),
    );

    // Assert
    expect(ready.map(({ state }) => state)).toEqual(['ready', 'ready', 'ready']);
    const items = await Promise.all(
      uploads.map(({ file }) =>
        systemDb().entities.file.get({ tenantId: tenant.tenantId, fileId: file.id }).go(),
      ),
    );
    const [guestFile, userFile, longTermFile] = items.map(({ data }) => data!);
    expect(Math.abs(Date.parse(guestFile!.expiresAt!) - Date.parse(guest.expiresAt))).toBeLessThan(2_000);
    expect(userFile!.expiresAt).toBeUndefined();
    expect(longTermFile).toMatchObject({ longTerm: true });
    expect(longTermFile!.expiresAt).toBeUndefined();
    await Promise.all(uploads.map(({ file }) => takeFileEvents(file.id, 2)));
  });

  it('makes a phone HEIC (HEVC) ready through the bundled processor, with WebP variants', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);

    // Act
    const { file, key } = await uploadFile(guest.accessToken, heicImage(), {
      name: 'IMG_0001.HEIC',
      contentType: 'image/heic',
    });
    const processed = await processedFile(guest.accessToken, file.id);

    // Assert
    expect(processed).toMatchObject({ state: 'ready', format: 'heif', width: 96, height: 64 });
    const preview = (await objectBytes(variantKey(key, 'preview')))!;
    expect((await sharp(preview).metadata()).format).toBe('webp');
    expectColour(await pixelAt(preview, 10, 32), RED);
    expectColour(await pixelAt(preview, 86, 32), BLUE);
  });

  it('rejects a text file named .jpg as unsupported_type and renders nothing', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);

    // Act
    const { file, key } = await uploadFile(guest.accessToken, textFile(), { name: 'holiday.jpg' });
    const processed = await processedFile(guest.accessToken, file.id);

    // Assert
    expect(processed).toMatchObject({ state: 'rejected', rejection: { reason: 'unsupported_type' } });
    expect(processed.variants).toBeUndefined();
    await expect(objectBytes(variantKey(key, 'thumbnail'))).resolves.toBeUndefined();
    const events = await takeFileEvents(file.id, 2);
    expect(events[1]).toMatchObject({ from: 'processing', to: 'rejected', reason: 'unsupported_type' });
  });

  it('rejects a 20000x20000 PNG bomb as too_many_pixels', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);

    // Act
    const { file } = await uploadFile(guest.accessToken, pngBomb(), { contentType: 'image/png' });

    // Assert
    await expect(processedFile(guest.accessToken, file.id)).resolves.toMatchObject({
      state: 'rejected',
      rejection: { reason: 'too_many_pixels' },
    });
  });

  it('rejects a stored object whose bytes differ from the declared SHA-256 (written around the URL)', async () => {
    // Arrange: the declaration names one photo, storage holds another of the same length
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const declared = await jpegImage(64, 48);
    const stored = Buffer.from(declared);
    stored[stored.length - 3] = stored[stored.length - 3]! ^ 0xff;
    const { file, upload } = await registeredFile(guest.accessToken, {
      name: 'a.jpg',
      contentType: 'image/jpeg',
      size: declared.byteLength,
      sha256: sha256Base64(declared),
    });

    // Act
    await putObjectDirectly(objectKeyOf(upload.url), stored, 'image/jpeg');

    // Assert
    await expect(processedFile(guest.accessToken, file.id)).resolves.toMatchObject({
      state: 'rejected',
      rejection: { reason: 'checksum_mismatch' },
    });
  });

  it('processes a file once when S3 delivers its notification three times', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const photo = await noisyJpeg(800, 600);

    // Act: the real notification plus two duplicates, all at once
    const { file, key } = await uploadFile(guest.accessToken, photo);
    const duplicate = objectCreatedMessage(key, photo.byteLength);
    await sendMessages(testSystem().outputs.PostUploadQueueUrl!, [duplicate, duplicate]);
    const processed = await processedFile(guest.accessToken, file.id);

    // Assert: one claim, one result; the later deliveries changed nothing
    expect(processed.state).toBe('ready');
    const events = await takeFileEvents(file.id, 2, 4_000);
    expect(events.map(({ to }) => to)).toEqual(['processing', 'ready']);
    const after = await processedFile(guest.accessToken, file.id);
    expect(after.updatedAt).toBe(processed.updatedAt);
  });

  it('makes nine files of a batch ready when the tenth object is missing, failing no record', async () => {
    // Arrange: ten registrations, nine uploads
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const photos = await Promise.all(Array.from({ length: 9 }, (_, i) => jpegImage(40 + i, 30)));
    const uploaded = await Promise.all(photos.map((photo) => uploadFile(guest.accessToken, photo)));
    const missing = await registeredFile(guest.accessToken, {
      name: 'never-sent.jpg',
      contentType: 'image/jpeg',
      size: 1000,
      sha256: sha256Base64(Buffer.alloc(1000)),
    });
    const missingKey = objectKeyOf(missing.upload.url);
    const bodies = [
      ...uploaded.map(({ key }, i) => objectCreatedMessage(key, photos[i]!.byteLength)),
      objectCreatedMessage(missingKey, 1000),
    ];

    // Act
    const response = await invokeProcessor(bodies);

    // Assert
    expect(response.batchItemFailures).toEqual([]);
    const files = await Promise.all(uploaded.map(({ file }) => processedFile(guest.accessToken, file.id)));
    expect(files.map(({ state }) => state)).toEqual(Array(9).fill('ready'));
    expect(files.map(({ width }) => width)).toEqual(photos.map((_, i) => 40 + i));
    await expect(
      processedFile(guest.accessToken, missing.file.id, 1_000).catch((error: Error) => error.message),
    ).resolves.toMatch(/still pending/);
  });

  it('reports only an unrecognised record of a batch as failed, so only it is retried', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const photo = await jpegImage(32, 32);
    const { file, key } = await uploadFile(guest.accessToken, photo);

    // Act
    const response = await invokeProcessor([
      objectCreatedMessage(key, photo.byteLength),
      '{"not":"a notice"}',
    ]);

    // Assert
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: expect.stringMatching(/-1$/) }]);
    await expect(processedFile(guest.accessToken, file.id)).resolves.toMatchObject({ state: 'ready' });
  });

  it('rejects a file as processing_failed when its notification reaches the dead-letter queue', async () => {
    // Arrange: a registered upload whose every delivery failed
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const { file, upload } = await registeredFile(guest.accessToken, {
      name: 'poison.jpg',
      contentType: 'image/jpeg',
      size: 2048,
      sha256: sha256Base64(Buffer.alloc(2048)),
    });
    const key = objectKeyOf(upload.url);

    // Act
    await sendMessages(testSystem().outputs.PostUploadDlqUrl!, [objectCreatedMessage(key, 2048)]);

    // Assert
    await expect(processedFile(guest.accessToken, file.id)).resolves.toMatchObject({
      state: 'rejected',
      rejection: { reason: 'processing_failed' },
    });
    const [event] = await takeFileEvents(file.id, 1);
    expect(event).toMatchObject({ from: 'pending', to: 'rejected', reason: 'processing_failed' });
  });
});
