import { createHash } from 'node:crypto';
import http from 'node:http';
import {
  DeleteBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
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

const MiB = 1024 * 1024;
const md5Hex = (body: Buffer): string => createHash('md5').update(body).digest('hex');
const sha256Hex = (body: Buffer): string => createHash('sha256').update(body).digest('hex');

/** Distinct bytes per MiB, so that a misplaced or repeated part changes the digests. */
function patterned(size: number): Buffer {
  const body = Buffer.alloc(size);
  for (let offset = 0; offset < size; offset += MiB) body.fill(offset / MiB + 1, offset, offset + MiB);
  return body;
}

/** Signs Content-Type, Content-Length and the SHA-256, as the product does; `signedBody` is what the URL promises. */
async function presignPut(s3: S3Client, bucket: string, key: string, signedBody: Buffer): Promise<string> {
  const command = new PutObjectCommand({
    Bucket: bucket,
    Key: key,
    ContentType: 'image/tiff',
    ContentLength: signedBody.length,
    ChecksumSHA256: sha256Base64(signedBody),
    ContentDisposition: 'attachment; filename="scan.tif"',
    Metadata: { 'tenant-id': 't-42' },
  });
  return getSignedUrl(s3, command, { expiresIn: 60, signableHeaders: new Set(['content-type']) });
}

/** What the signed URL requires the client to send along. */
const signedHeaders = {
  'content-type': 'image/tiff',
  'content-disposition': 'attachment; filename="scan.tif"',
};

const put = (url: string, body: Buffer) => fetch(url, { method: 'PUT', body, headers: signedHeaders });

const errorCode = async (response: Response): Promise<string | undefined> =>
  /<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1];

async function headStatus(s3: S3Client, bucket: string, key: string): Promise<number | undefined> {
  return s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
    (head) => head.$metadata.httpStatusCode,
    (error: { $metadata: { httpStatusCode?: number } }) => error.$metadata.httpStatusCode,
  );
}

/** fauxqs refuses to delete a bucket while a multipart upload in it is in progress, and lists no uploads. */
const deleteBucket = (s3: S3Client, bucket: string) => s3.send(new DeleteBucketCommand({ Bucket: bucket }));

/** The proxy learns of a disconnect asynchronously: retry the delete for a while. */
async function eventuallyDeleted(s3: S3Client, bucket: string): Promise<boolean> {
  for (let attempt = 0; attempt < 40; attempt++) {
    if (
      await deleteBucket(s3, bucket).then(
        () => true,
        () => false,
      )
    )
      return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

describe('PutObject above the fauxqs body limit', () => {
  let stack: FidelityStack;

  beforeAll(async () => {
    stack = await startFidelityStack();
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('stores a 30 MiB presigned upload and answers, serves and announces it as the single PUT it was', async () => {
    // Arrange
    const { bucket, queueUrl } = await bucketNotifyingQueue(stack);
    const body = patterned(30 * MiB);
    const url = await presignPut(stack.s3, bucket, 'scan.tif', body);

    // Act
    const response = await put(url, body);

    // Assert
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe(`"${md5Hex(body)}"`);
    expect(response.headers.get('x-amz-checksum-sha256')).toBe(sha256Base64(body));
    const stored = await stack.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'scan.tif' }));
    expect(sha256Hex(Buffer.from(await stored.Body!.transformToByteArray()))).toBe(sha256Hex(body));
    const head = await stack.s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'scan.tif', ChecksumMode: 'ENABLED' }),
    );
    expect(head).toMatchObject({
      ContentLength: 31457280,
      ETag: `"${md5Hex(body)}"`,
      ContentType: 'image/tiff',
      ContentDisposition: 'attachment; filename="scan.tif"',
      Metadata: { 'tenant-id': 't-42' },
      ChecksumSHA256: sha256Base64(body),
    });
    expect(head.PartsCount).toBeUndefined();
    const listed = await stack.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map(({ ETag }) => ETag)).toEqual([`"${md5Hex(body)}"`]);
    expect(eventRecords(await drainQueue(stack, queueUrl))).toEqual([
      expect.objectContaining({
        eventName: 'ObjectCreated:Put',
        s3: expect.objectContaining({
          object: expect.objectContaining({ key: 'scan.tif', size: 31457280, eTag: md5Hex(body) }),
        }),
      }),
    ]);
  });

  it('rejects a 30 MiB body not matching the signed SHA-256 with 400 BadDigest and leaves nothing behind', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const signed = patterned(30 * MiB);
    const forged = Buffer.from(signed);
    forged[forged.length - 1] = 0;
    const url = await presignPut(stack.s3, bucket, 'scan.tif', signed);

    // Act
    const response = await put(url, forged);

    // Assert
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe('BadDigest');
    expect(await headStatus(stack.s3, bucket, 'scan.tif')).toBe(404);
    await expect(deleteBucket(stack.s3, bucket)).resolves.toBeDefined();
  });

  it('leaves nothing behind when the client disconnects mid-body', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const body = patterned(30 * MiB);
    const url = new URL(await presignPut(stack.s3, bucket, 'scan.tif', body));
    const request = http.request(url, {
      method: 'PUT',
      headers: { ...signedHeaders, 'content-length': body.length },
    });
    request.on('error', () => undefined);

    // Act
    await new Promise<void>((resolve) => request.write(body.subarray(0, 20 * MiB), () => resolve()));
    request.destroy();

    // Assert
    expect(await eventuallyDeleted(stack.s3, bucket)).toBe(true);
  });

  it('answers 400 EntityTooLarge above the 5 GiB single PUT limit, before any body', async () => {
    // Arrange
    const bucket = await createBucket(stack);
    const command = new PutObjectCommand({
      Bucket: bucket,
      Key: 'huge.tif',
      ContentLength: 5 * 1024 * MiB + 1,
    });
    const url = new URL(await getSignedUrl(stack.s3, command, { expiresIn: 60 }));

    // Act
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = http.request(url, { method: 'PUT', headers: { 'content-length': 5 * 1024 * MiB + 1 } });
      request.on('response', resolve).on('error', reject).flushHeaders();
    });
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString())).on('end', () => resolve(text));
    });
    response.socket.destroy();

    // Assert
    expect(response.statusCode).toBe(400);
    expect(answer).toContain('<Code>EntityTooLarge</Code>');
  });
});
