import { createHash } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  bucketNotifyingQueue,
  createBucket,
  drainQueue,
  eventRecords,
  sha256Base64,
  startFidelityStack,
  type FidelityStack,
} from '../helpers/s3-fidelity-stack';

let stack: FidelityStack;

beforeAll(async () => {
  stack = await startFidelityStack();
});

afterAll(async () => {
  await stack.stop();
});

afterEach(() => {
  stack.clock.offsetMs = 0;
});

/** A presigned PutObject URL that signs Content-Type, Content-Length and the body's SHA-256, as the product does. */
async function presignPut(
  bucket: string,
  key: string,
  body: Buffer,
  contentType = 'image/jpeg',
): Promise<string> {
  const command = new PutObjectCommand({
    Bucket: bucket,
    Key: key,
    ContentType: contentType,
    ContentLength: body.length,
    ChecksumSHA256: sha256Base64(body),
  });
  return getSignedUrl(stack.s3, command, { expiresIn: 60, signableHeaders: new Set(['content-type']) });
}

const put = (url: string, body: Buffer, contentType = 'image/jpeg') =>
  fetch(url, { method: 'PUT', body, headers: { 'content-type': contentType } });

async function objectExists(bucket: string, key: string): Promise<boolean> {
  return stack.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
    () => true,
    (error: { name?: string }) => {
      if (error.name === 'NotFound') return false;
      throw error;
    },
  );
}

const errorCode = async (response: Response): Promise<string | undefined> =>
  /<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1];

describe('presigned PUT', () => {
  const body = Buffer.from('original image bytes');

  it('stores a valid upload byte for byte', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const url = await presignPut(bucket, 'photos/a b+c.jpg', body);

    // Act
    const response = await put(url, body);

    // Assert
    expect(response.status).toBe(200);
    const stored = await stack.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'photos/a b+c.jpg' }));
    expect(Buffer.from(await stored.Body!.transformToByteArray())).toEqual(body);
    expect(stored.ContentType).toBe('image/jpeg');
  });

  it('rejects a tampered signature with 403 SignatureDoesNotMatch', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const url = await presignPut(bucket, 'a.jpg', body);
    const tampered = url.replace(
      /(X-Amz-Signature=[0-9a-f]{63})([0-9a-f])/,
      (_, head: string, last: string) => head + (last === '0' ? '1' : '0'),
    );

    // Act
    const response = await put(tampered, body);

    // Assert
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('SignatureDoesNotMatch');
    expect(await objectExists(bucket, 'a.jpg')).toBe(false);
  });

  it('rejects a URL used after it expired with 403 AccessDenied', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const url = await presignPut(bucket, 'a.jpg', body);
    stack.clock.offsetMs = 61_000;

    // Act
    const response = await put(url, body);

    // Assert
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Message>Request has expired</Message>');
    expect(await objectExists(bucket, 'a.jpg')).toBe(false);
  });

  it('rejects another Content-Type than the signed one', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const url = await presignPut(bucket, 'a.jpg', body, 'image/jpeg');

    // Act
    const response = await put(url, body, 'text/html');

    // Assert
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('SignatureDoesNotMatch');
  });

  it('rejects a body of another length than the signed Content-Length', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const url = await presignPut(bucket, 'a.jpg', body);

    // Act
    const response = await put(url, Buffer.concat([body, Buffer.from('!')]));

    // Assert
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('SignatureDoesNotMatch');
    expect(await objectExists(bucket, 'a.jpg')).toBe(false);
  });

  it('rejects a body not matching the signed SHA-256 with 400 BadDigest and stores nothing', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const url = await presignPut(bucket, 'a.jpg', body);
    const forged = Buffer.from(body.toString().toUpperCase());

    // Act
    const response = await put(url, forged);

    // Assert
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe('BadDigest');
    expect(await objectExists(bucket, 'a.jpg')).toBe(false);
  });

  it('streams a 10 MiB upload in many chunks and stores it when the SHA-256 matches', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const large = Buffer.alloc(10 * 1024 * 1024, 7);
    const url = await presignPut(bucket, 'large.tif', large, 'image/tiff');

    // Act
    const response = await put(url, large, 'image/tiff');

    // Assert
    expect(response.status).toBe(200);
    const head = await stack.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'large.tif' }));
    expect(head.ContentLength).toBe(large.length);
  });

  it('rejects a URL signed for one key used for another with 403', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const url = await presignPut(bucket, 'tenant-a/photo.jpg', body);
    const retargeted = url.replace('/tenant-a/photo.jpg?', '/tenant-b/photo.jpg?');

    // Act
    const response = await put(retargeted, body);

    // Assert
    expect(response.status).toBe(403);
    expect(await objectExists(bucket, 'tenant-b/photo.jpg')).toBe(false);
  });

  it('stores metadata signed into the URL, which fauxqs alone drops', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const command = new PutObjectCommand({
      Bucket: bucket,
      Key: 'a.jpg',
      ContentLength: body.length,
      Metadata: { 'tenant-id': 't-42' },
    });
    const url = await getSignedUrl(stack.s3, command, { expiresIn: 60 });

    // Act
    const response = await fetch(url, { method: 'PUT', body });

    // Assert
    expect(response.status).toBe(200);
    const head = await stack.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'a.jpg' }));
    expect(head.Metadata).toEqual({ 'tenant-id': 't-42' });
  });
});

describe('SDK PutObject', () => {
  it('rejects a body not matching its Content-MD5 with 400 BadDigest and stores nothing', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const contentMd5 = createHash('md5').update('expected').digest('base64');

    // Act
    const error = await stack.s3
      .send(new PutObjectCommand({ Bucket: bucket, Key: 'a.txt', Body: 'tampered', ContentMD5: contentMd5 }))
      .catch((thrown: { name: string; $metadata: { httpStatusCode?: number } }) => thrown);

    // Assert
    expect(error).toMatchObject({ name: 'BadDigest', $metadata: { httpStatusCode: 400 } });
    expect(await objectExists(bucket, 'a.txt')).toBe(false);
  });
});

describe('SDK UploadPart', () => {
  it('answers 400 EntityTooLarge above the fauxqs body limit instead of a reset connection', async () => {
    // Arrange: a part cannot be split like a PutObject body.
    const bucket = await createBucket(stack);
    const { UploadId } = await stack.s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'huge.tif' }),
    );

    // Act
    const error = await stack.s3
      .send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: 'huge.tif',
          UploadId,
          PartNumber: 1,
          Body: Buffer.alloc(12 * 1024 * 1024),
        }),
      )
      .catch((thrown: { name: string; $metadata: { httpStatusCode?: number } }) => thrown);

    // Assert
    expect(error).toMatchObject({ name: 'EntityTooLarge', $metadata: { httpStatusCode: 400 } });
  });
});

describe('presigned UploadPart', () => {
  const part = Buffer.alloc(5 * 1024 * 1024, 7);

  /** A presigned UploadPart URL that signs the part's Content-Length, as the file service issues them. */
  async function presignPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    length: number,
  ) {
    const command = new UploadPartCommand({
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      ContentLength: length,
    });
    return getSignedUrl(stack.s3, command, { expiresIn: 60, signableHeaders: new Set(['content-length']) });
  }

  it('stores parts of the signed length, which CompleteMultipartUpload then joins', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const { UploadId } = await stack.s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'p.tif' }),
    );
    const tail = Buffer.from('last part');
    const urls = [
      await presignPart(bucket, 'p.tif', UploadId!, 1, part.length),
      await presignPart(bucket, 'p.tif', UploadId!, 2, tail.length),
    ];

    // Act
    const answers = [
      await fetch(urls[0]!, { method: 'PUT', body: part }),
      await fetch(urls[1]!, { method: 'PUT', body: tail }),
    ];
    await stack.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'p.tif',
        UploadId,
        MultipartUpload: {
          Parts: answers.map((answer, index) => ({
            PartNumber: index + 1,
            ETag: answer.headers.get('etag')!,
          })),
        },
      }),
    );

    // Assert
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const stored = await stack.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'p.tif' }));
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(Buffer.concat([part, tail]))).toBe(
      true,
    );
  });

  it('refuses a part of another length with 403 SignatureDoesNotMatch, and an expired URL with 403', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const { UploadId } = await stack.s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'p.tif' }),
    );
    const url = await presignPart(bucket, 'p.tif', UploadId!, 1, part.length);

    // Act
    const shorter = await fetch(url, { method: 'PUT', body: part.subarray(1) });
    stack.clock.offsetMs = 61_000;
    const late = await fetch(url, { method: 'PUT', body: part });

    // Assert
    expect(shorter.status).toBe(403);
    expect(await errorCode(shorter)).toBe('SignatureDoesNotMatch');
    expect(late.status).toBe(403);
    expect(await errorCode(late)).toBe('AccessDenied');
  });

  it('lets CompleteMultipartUpload refuse an ETag no uploaded part has with 400 InvalidPart', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const { UploadId } = await stack.s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'p.tif' }),
    );
    await fetch(await presignPart(bucket, 'p.tif', UploadId!, 1, part.length), { method: 'PUT', body: part });

    // Act
    const error = await stack.s3
      .send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'p.tif',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"00000000000000000000000000000000"' }] },
        }),
      )
      .catch((thrown: { name: string; $metadata: { httpStatusCode?: number } }) => thrown);

    // Assert
    expect(error).toMatchObject({ name: 'InvalidPart', $metadata: { httpStatusCode: 400 } });
    expect(await objectExists(bucket, 'p.tif')).toBe(false);
  });
});

describe('presigned GET', () => {
  it('serves the object with the signed response-content-disposition', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const body = Buffer.from('jpeg');
    await stack.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'a.jpg', Body: body, ContentType: 'image/jpeg' }),
    );
    const disposition = 'attachment; filename="holiday 2024.jpg"';
    const command = new GetObjectCommand({
      Bucket: bucket,
      Key: 'a.jpg',
      ResponseContentDisposition: disposition,
    });
    const url = await getSignedUrl(stack.s3, command, { expiresIn: 60 });

    // Act
    const response = await fetch(url);

    // Assert
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(disposition);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(body);
  });

  it('serves a signed response-content-type and an RFC 6266 filename* disposition exactly as signed', async () => {
    // Arrange: the percent-encoded UTF-8 name must reach the browser undecoded
    const bucket = await createBucket(stack);
    await stack.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'a/thumbnail', Body: 'webp', ContentType: 'image/jpeg' }),
    );
    const disposition = `inline; filename="Gru_e.webp"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%281%29.webp`;
    const command = new GetObjectCommand({
      Bucket: bucket,
      Key: 'a/thumbnail',
      ResponseContentDisposition: disposition,
      ResponseContentType: 'image/webp',
    });
    const url = await getSignedUrl(stack.s3, command, { expiresIn: 300 });

    // Act
    const response = await fetch(url);

    // Assert
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(disposition);
    expect(response.headers.get('content-type')).toBe('image/webp');
  });

  it('refuses a GET after its URL expired with 403 AccessDenied', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    await stack.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a.jpg', Body: 'jpeg' }));
    const url = await getSignedUrl(stack.s3, new GetObjectCommand({ Bucket: bucket, Key: 'a.jpg' }), {
      expiresIn: 300,
    });
    stack.clock.offsetMs = 301_000;

    // Act
    const response = await fetch(url);

    // Assert
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Message>Request has expired</Message>');
  });

  it('refuses the same object without any signature, as a private bucket does', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    await stack.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a.jpg', Body: 'jpeg' }));

    // Act
    const response = await fetch(`${stack.proxy.endpoint}/${bucket}/a.jpg`);

    // Assert
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('AccessDenied');
  });
});

describe('CORS', () => {
  const preflight = (bucket: string, origin: string, method: string, requestHeaders = 'content-type') =>
    fetch(`${stack.proxy.endpoint}/${bucket}/a.jpg`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': method,
        'access-control-request-headers': requestHeaders,
      },
    });

  async function bucketWithCors(): Promise<string> {
    const bucket = await createBucket(stack);
    await stack.s3.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: ['https://*.pixelvault.test'],
              AllowedMethods: ['PUT', 'GET'],
              AllowedHeaders: ['content-type', 'x-amz-*'],
              ExposeHeaders: ['ETag'],
              MaxAgeSeconds: 300,
            },
          ],
        },
      }),
    );
    return bucket;
  }

  it('allows a preflight that a rule matches', async () => {
    // Arrange
    const bucket = await bucketWithCors();

    // Act
    const response = await preflight(
      bucket,
      'https://shop.pixelvault.test',
      'PUT',
      'Content-Type, x-amz-checksum-sha256',
    );

    // Assert
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.pixelvault.test');
    expect(response.headers.get('access-control-allow-methods')).toBe('PUT, GET');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type, x-amz-checksum-sha256');
    expect(response.headers.get('access-control-max-age')).toBe('300');
  });

  it.each([
    ['an origin no rule allows', 'https://evil.test', 'PUT', 'content-type'],
    ['a method no rule allows', 'https://shop.pixelvault.test', 'DELETE', 'content-type'],
    ['a header no rule allows', 'https://shop.pixelvault.test', 'PUT', 'x-custom'],
  ])('denies a preflight with %s with 403', async (_case, origin, method, requestHeaders) => {
    // Arrange
    const bucket = await bucketWithCors();

    // Act
    const response = await preflight(bucket, origin, method, requestHeaders);

    // Assert
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('denies every preflight on a bucket without CORS configuration', async () => {
    // Arrange
    const bucket = await createBucket(stack);

    // Act
    const response = await preflight(bucket, 'https://shop.pixelvault.test', 'PUT');

    // Assert
    expect(response.status).toBe(403);
  });

  it('adds the CORS headers to an actual response for an allowed origin only', async () => {
    // Arrange
    const bucket = await bucketWithCors();
    await stack.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a.jpg', Body: 'jpeg' }));
    const url = await getSignedUrl(stack.s3, new GetObjectCommand({ Bucket: bucket, Key: 'a.jpg' }), {
      expiresIn: 60,
    });

    // Act
    const allowed = await fetch(url, { headers: { origin: 'https://shop.pixelvault.test' } });
    const foreign = await fetch(url, { headers: { origin: 'https://evil.test' } });

    // Assert
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.pixelvault.test');
    expect(allowed.headers.get('access-control-expose-headers')).toBe('ETag');
    expect(allowed.headers.get('vary')).toContain('Origin');
    expect(foreign.status).toBe(200);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('bucket notifications', () => {
  it('sends an s3:TestEvent when the configuration is put', async () => {
    // Arrange, Act
    const { bucket, testEvents } = await bucketNotifyingQueue(stack);

    // Assert
    expect(testEvents.map((message) => JSON.parse(message.Body ?? '{}'))).toEqual([
      expect.objectContaining({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: bucket }),
    ]);
  });

  it('sends exactly one event for a PutObject, with bucket, key and size', async () => {
    // Arrange
    const { bucket, queueUrl } = await bucketNotifyingQueue(stack);

    // Act
    await stack.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'uploads/my photo.jpg', Body: Buffer.alloc(1234) }),
    );

    // Assert
    const records = eventRecords(await drainQueue(stack, queueUrl));
    expect(records).toEqual([
      expect.objectContaining({
        eventName: 'ObjectCreated:Put',
        s3: expect.objectContaining({
          configurationId: 'uploads',
          bucket: expect.objectContaining({ name: bucket, arn: `arn:aws:s3:::${bucket}` }),
          object: expect.objectContaining({ key: 'uploads/my+photo.jpg', size: 1234 }),
        }),
      }),
    ]);
  });

  it('sends an event for a presigned upload too', async () => {
    // Arrange
    const { bucket, queueUrl } = await bucketNotifyingQueue(stack);
    const body = Buffer.from('presigned');
    const url = await presignPut(bucket, 'a.jpg', body);

    // Act
    await put(url, body);

    // Assert
    expect(eventRecords(await drainQueue(stack, queueUrl))).toEqual([
      expect.objectContaining({
        s3: expect.objectContaining({ object: expect.objectContaining({ key: 'a.jpg', size: body.length }) }),
      }),
    ]);
  });

  it('sends nothing for keys the suffix filter excludes', async () => {
    // Arrange
    const { bucket, queueUrl } = await bucketNotifyingQueue(stack, [{ Name: 'suffix', Value: '/original' }]);

    // Act
    await stack.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'p1/thumbnail', Body: 'x' }));
    await stack.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'p1/original', Body: 'x' }));

    // Assert
    const keys = eventRecords(await drainQueue(stack, queueUrl)).map((record) => record.s3.object.key);
    expect(keys).toEqual(['p1/original']);
  });

  it('sends one event with the full size when a multipart upload completes', async () => {
    // Arrange
    const { bucket, queueUrl } = await bucketNotifyingQueue(stack);
    const parts = [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.alloc(1000, 2)];
    const { UploadId } = await stack.s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big.tif' }),
    );
    const uploaded = [];
    for (const [index, part] of parts.entries()) {
      const { ETag } = await stack.s3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: 'big.tif',
          UploadId,
          PartNumber: index + 1,
          Body: part,
        }),
      );
      uploaded.push({ ETag, PartNumber: index + 1 });
    }
    expect(await drainQueue(stack, queueUrl)).toEqual([]);

    // Act
    await stack.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'big.tif',
        UploadId,
        MultipartUpload: { Parts: uploaded },
      }),
    );

    // Assert
    expect(eventRecords(await drainQueue(stack, queueUrl))).toEqual([
      expect.objectContaining({
        eventName: 'ObjectCreated:CompleteMultipartUpload',
        s3: expect.objectContaining({
          object: expect.objectContaining({ key: 'big.tif', size: 5 * 1024 * 1024 + 1000 }),
        }),
      }),
    ]);
  });
});
