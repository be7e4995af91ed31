import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { digestMismatch, expectedDigests, verifyingStream } from '../../src/s3-fidelity/checksum';

const body = Buffer.from('pixels');
const sha256 = createHash('sha256').update(body).digest('base64');
const md5 = createHash('md5').update(body).digest('base64');

/** Pushes chunks through the verifier and records what came out before the failure, if any. */
async function run(chunks: Buffer[], expected: ReturnType<typeof expectedDigests>) {
  const verifier = verifyingStream(expected);
  const passed: Buffer[] = [];
  const sink = new PassThrough().on('data', (chunk: Buffer) => passed.push(chunk));
  const error = await new Promise<Error | undefined>((resolve) => {
    verifier.on('error', resolve).on('end', () => resolve(undefined));
    Readable.from(chunks).pipe(verifier).pipe(sink);
  });
  return { error, passed: Buffer.concat(passed) };
}

describe('expectedDigests', () => {
  it('reads x-amz-checksum-sha256 from the header, or else from the hoisted query, and Content-MD5', () => {
    // Act
    const fromHeader = expectedDigests({ 'x-amz-checksum-sha256': sha256, 'content-md5': md5 }, {});
    const fromQuery = expectedDigests({}, { 'x-amz-checksum-sha256': sha256 });

    // Assert
    expect(fromHeader.map((digest) => digest.algorithm)).toEqual(['sha256', 'md5']);
    expect(fromQuery.map((digest) => digest.algorithm)).toEqual(['sha256']);
    expect(expectedDigests({}, {})).toEqual([]);
  });

  it.each([
    ['x-amz-checksum-sha256', md5, 'InvalidRequest'],
    ['content-md5', 'not base64!', 'InvalidDigest'],
  ])('rejects a malformed %s with 400 %s', (name, value, code) => {
    // Act, Assert
    expect(() => expectedDigests({ [name]: value }, {})).toThrow(
      expect.objectContaining({ status: 400, code }),
    );
  });
});

describe('digestMismatch', () => {
  it('names the BadDigest of the first digest that does not match', () => {
    // Act, Assert
    expect(digestMismatch(body, expectedDigests({ 'content-md5': md5 }, {}))).toBeUndefined();
    expect(digestMismatch(Buffer.from('other'), expectedDigests({ 'content-md5': md5 }, {}))).toMatchObject({
      status: 400,
      code: 'BadDigest',
    });
  });
});

describe('verifyingStream', () => {
  it('passes a matching body through unchanged', async () => {
    // Act
    const { error, passed } = await run(
      [body.subarray(0, 2), body.subarray(2)],
      expectedDigests({ 'x-amz-checksum-sha256': sha256 }, {}),
    );

    // Assert
    expect(error).toBeUndefined();
    expect(passed).toEqual(body);
  });

  it('fails with BadDigest before the last chunk leaves, so the upstream never has the whole body', async () => {
    // Act
    const { error, passed } = await run(
      [Buffer.from('pix'), Buffer.from('elz')],
      expectedDigests({ 'x-amz-checksum-sha256': sha256 }, {}),
    );

    // Assert
    expect(error).toMatchObject({ status: 400, code: 'BadDigest' });
    expect(passed.toString()).toBe('pix');
  });
});
