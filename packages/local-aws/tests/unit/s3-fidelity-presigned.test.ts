import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { IncomingHttpHeaders } from 'node:http';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/constants';
import { hoistedHeaders, verifyPresigned, type SigningIdentity } from '../../src/s3-fidelity/presigned';
import { parseTarget } from '../../src/s3-fidelity/request';
import type { S3Error } from '../../src/s3-fidelity/xml';

const ENDPOINT = 'http://127.0.0.1:4599';
const SIGNED_AT = new Date('2030-01-01T12:00:00Z');

const client = (credentials = LOCAL_CREDENTIALS, region = LOCAL_REGION) =>
  new S3Client({
    endpoint: ENDPOINT,
    region,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });

const identity = (now = SIGNED_AT): SigningIdentity => ({
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
  now,
});

/** The request a client sends for a presigned URL, as the proxy receives it. */
function received(url: string, method: string, headers: IncomingHttpHeaders = {}) {
  const { pathname, search, host } = new URL(url);
  const target = parseTarget(pathname + search);
  return { method, path: target.path, query: target.query, headers: { host, ...headers } };
}

const presignedPut = (key: string, signer = client()) =>
  getSignedUrl(
    signer,
    new PutObjectCommand({ Bucket: 'photos', Key: key, ContentType: 'image/png', ContentLength: 3 }),
    {
      expiresIn: 300,
      signingDate: SIGNED_AT,
      signableHeaders: new Set(['content-type']),
    },
  );

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: S3Error) => ({ status: error.status, code: error.code, message: error.message }),
  );

describe('verifyPresigned', () => {
  it.each(['plain.png', 'with space/and+plus (1)!.png', 'unicodé/ß.png', "quote'*~.png"])(
    'accepts an untouched URL for key %p and returns the signer',
    async (key) => {
      // Arrange
      const url = await presignedPut(key);

      // Act
      const accessKeyId = await verifyPresigned(
        received(url, 'PUT', { 'content-type': 'image/png', 'content-length': '3' }),
        identity(),
      );

      // Assert
      expect(accessKeyId).toBe(LOCAL_CREDENTIALS.accessKeyId);
    },
  );

  it.each([
    ['another method', 'POST', { 'content-type': 'image/png', 'content-length': '3' }],
    ['another Content-Type', 'PUT', { 'content-type': 'text/html', 'content-length': '3' }],
    ['another Content-Length', 'PUT', { 'content-type': 'image/png', 'content-length': '4' }],
    ['a missing signed header', 'PUT', { 'content-length': '3' }],
  ])('rejects %s with 403 SignatureDoesNotMatch', async (_case, method, headers) => {
    // Arrange
    const url = await presignedPut('a.png');

    // Act
    const error = await rejection(verifyPresigned(received(url, method, headers), identity()));

    // Assert
    expect(error).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('rejects a changed query parameter such as response-content-disposition', async () => {
    // Arrange
    const command = new GetObjectCommand({
      Bucket: 'photos',
      Key: 'a.png',
      ResponseContentDisposition: 'inline',
    });
    const url = await getSignedUrl(client(), command, { expiresIn: 300, signingDate: SIGNED_AT });

    // Act
    const error = await rejection(
      verifyPresigned(received(url.replace('=inline', '=attachment'), 'GET'), identity()),
    );

    // Assert
    expect(error).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('rejects a URL signed with another secret', async () => {
    // Arrange
    const url = await presignedPut('a.png', client({ ...LOCAL_CREDENTIALS, secretAccessKey: 'guessed' }));

    // Act
    const error = await rejection(
      verifyPresigned(
        received(url, 'PUT', { 'content-type': 'image/png', 'content-length': '3' }),
        identity(),
      ),
    );

    // Assert
    expect(error).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('rejects an unknown access key with 403 InvalidAccessKeyId', async () => {
    // Arrange
    const url = await presignedPut('a.png', client({ accessKeyId: 'someoneelse', secretAccessKey: 'x' }));

    // Act
    const error = await rejection(verifyPresigned(received(url, 'PUT'), identity()));

    // Assert
    expect(error).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
  });

  it('rejects a URL signed for another region with 400 AuthorizationQueryParametersError', async () => {
    // Arrange
    const url = await presignedPut('a.png', client(LOCAL_CREDENTIALS, 'eu-west-1'));

    // Act
    const error = await rejection(verifyPresigned(received(url, 'PUT'), identity()));

    // Assert
    expect(error).toMatchObject({ status: 400, code: 'AuthorizationQueryParametersError' });
  });

  it.each([
    ['one second after expiry', 301_000, 'Request has expired'],
    ['long before it was signed', -3_600_000, 'Request is not valid yet'],
  ])('rejects a URL used %s with 403 AccessDenied', async (_case, offsetMs, message) => {
    // Arrange
    const url = await presignedPut('a.png');
    const headers = { 'content-type': 'image/png', 'content-length': '3' };

    // Act
    const error = await rejection(
      verifyPresigned(received(url, 'PUT', headers), identity(new Date(SIGNED_AT.getTime() + offsetMs))),
    );

    // Assert
    expect(error).toEqual({ status: 403, code: 'AccessDenied', message });
  });

  it('accepts a URL on the last second of its validity', async () => {
    // Arrange
    const url = await presignedPut('a.png');
    const headers = { 'content-type': 'image/png', 'content-length': '3' };

    // Act
    const verified = verifyPresigned(
      received(url, 'PUT', headers),
      identity(new Date(SIGNED_AT.getTime() + 300_000)),
    );

    // Assert
    await expect(verified).resolves.toBe(LOCAL_CREDENTIALS.accessKeyId);
  });

  it('rejects an expiry beyond one week like S3', async () => {
    // Arrange
    const url = (await presignedPut('a.png')).replace('X-Amz-Expires=300', 'X-Amz-Expires=604801');

    // Act
    const error = await rejection(verifyPresigned(received(url, 'PUT'), identity()));

    // Assert
    expect(error).toMatchObject({ status: 400, code: 'AuthorizationQueryParametersError' });
  });

  it('rejects an unsigned x-amz-* header that could override a signed value', async () => {
    // Arrange
    const url = await presignedPut('a.png');
    const headers = { 'content-type': 'image/png', 'content-length': '3', 'x-amz-meta-owner': 'attacker' };

    // Act
    const error = await rejection(verifyPresigned(received(url, 'PUT', headers), identity()));

    // Assert
    expect(error).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('rejects a URL without the required query parameters', async () => {
    // Arrange
    const url = (await presignedPut('a.png')).replace(/&X-Amz-Date=[^&]+/, '');

    // Act
    const error = await rejection(verifyPresigned(received(url, 'PUT'), identity()));

    // Assert
    expect(error).toMatchObject({ status: 400, code: 'AuthorizationQueryParametersError' });
  });
});

describe('hoistedHeaders', () => {
  it('returns the x-amz-* values the presigner moved into the query, without the auth parameters', async () => {
    // Arrange
    const command = new PutObjectCommand({
      Bucket: 'photos',
      Key: 'a.png',
      ChecksumSHA256: 'c2hh',
      Metadata: { tenant: 't1' },
    });
    const url = await getSignedUrl(client(), command, { expiresIn: 300 });

    // Act
    const hoisted = hoistedHeaders(received(url, 'PUT').query);

    // Assert
    expect(hoisted).toMatchObject({ 'x-amz-checksum-sha256': 'c2hh', 'x-amz-meta-tenant': 't1' });
    expect(
      Object.keys(hoisted).filter((name) =>
        /^x-amz-(algorithm|credential|date|expires|signedheaders|signature|content-sha256)$/.test(name),
      ),
    ).toEqual([]);
  });
});
