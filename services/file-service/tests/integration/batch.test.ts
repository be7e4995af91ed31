import {
  newUpload,
  putUpload,
  registerBatch,
  sha256Base64,
  type FileView,
  type UploadInstructions,
} from '../../../../tests/helpers/files';
import { apiError, callApi, createTestTenant, guestSession } from '../../../../tests/helpers/identity';
import { jpegImage } from '../helpers/images';

const MIB = 1024 * 1024;

type BatchItem = { file: FileView; upload: UploadInstructions } | { error: unknown };

/** Polls the owner's list until every one of `ids` is `ready` or `rejected`. */
async function processedFiles(token: string, ids: string[], timeoutMs = 60_000): Promise<FileView[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await callApi('GET', '/v1/files?limit=100', { token });
    const { items } = (await response.json()) as { items: FileView[] };
    const ours = items.filter((item) => ids.includes(item.id));
    if (
      ours.length === ids.length &&
      ours.every((item) => item.state !== 'pending' && item.state !== 'processing')
    )
      return ours;
    if (Date.now() > deadline) throw new Error(`files not processed after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('POST /v1/files/batch', () => {
  it('registers 100 items in request order, answers each bad one with its own error, and the good ones become ready', async () => {
    // Arrange: 96 real JPEGs and four items the single route would refuse
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const photo = await jpegImage();
    const good = {
      name: 'photo.jpg',
      contentType: 'image/jpeg',
      size: photo.byteLength,
      sha256: sha256Base64(photo),
    };
    const bad: Record<number, [unknown, ReturnType<typeof apiError>]> = {
      7: [
        { ...good, sha256: 'not-a-digest' },
        apiError('invalid_request', [{ field: 'sha256', reason: expect.any(String) }]),
      ],
      23: [
        { ...good, contentType: 'image/gif' },
        apiError('invalid_request', [{ field: 'contentType', reason: expect.any(String) }]),
      ],
      51: [
        { ...good, size: 200 * MIB + 1 },
        apiError('payload_too_large', [{ field: 'size', reason: expect.any(String) }]),
      ],
      99: ['not an object', apiError('invalid_request', [{ field: '(body)', reason: expect.any(String) }])],
    };
    const items = Array.from(
      { length: 100 },
      (_, index) => bad[index]?.[0] ?? { ...good, name: `photo-${index}.jpg` },
    );

    // Act
    const response = await registerBatch(guest.accessToken, { items });

    // Assert: one result per item, in order
    expect(response.status).toBe(201);
    const results = ((await response.json()) as { items: BatchItem[] }).items;
    expect(results).toHaveLength(100);
    results.forEach((result, index) => {
      if (bad[index]) expect(result).toEqual(bad[index][1]);
      else
        expect(result).toMatchObject({
          file: { name: `photo-${index}.jpg`, state: 'pending' },
          upload: { method: 'PUT' },
        });
    });
    const registered = results.filter(
      (result): result is Exclude<BatchItem, { error: unknown }> => 'file' in result,
    );
    expect(new Set(registered.map(({ file }) => file.id)).size).toBe(96);

    // Act: the good ones upload to their own URLs
    for (const { upload } of registered) expect((await putUpload(upload, photo)).status).toBe(200);

    // Assert
    const processed = await processedFiles(
      guest.accessToken,
      registered.map(({ file }) => file.id),
    );
    expect(processed.map((file) => file.state)).toEqual(Array(96).fill('ready'));
  }, 120_000);

  it.each([
    ['items is not an array', { items: { name: 'x' } }],
    ['items is empty', { items: [] }],
    ['items has more than 100', { items: Array(101).fill(newUpload().registration) }],
    ['items is missing', {}],
  ])('refuses an envelope whose %s with 400 naming items', async (_case, body) => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);

    // Act
    const response = await registerBatch(guest.accessToken, body);

    // Assert
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(
      apiError('invalid_request', [{ field: 'items', reason: expect.any(String) }]),
    );
  });

  it('refuses a body that is no JSON object with 400 naming the body', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);

    // Act
    const response = await registerBatch(guest.accessToken, [newUpload().registration]);

    // Assert
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(
      apiError('invalid_request', [{ field: '(body)', reason: expect.any(String) }]),
    );
  });
});
