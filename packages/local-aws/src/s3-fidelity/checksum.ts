import { createHash, type Hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Transform } from 'node:stream';
import { header } from './request';
import { S3Error } from './xml';

export interface ExpectedDigest {
  algorithm: 'sha256' | 'md5';
  digest: Buffer;
  mismatch: S3Error;
}

function decodeDigest(value: string, bytes: number, invalid: S3Error): Buffer {
  const digest = Buffer.from(value, 'base64');
  if (digest.length !== bytes || digest.toString('base64') !== value) throw invalid;
  return digest;
}

/**
 * Digests the client promised for the body: `x-amz-checksum-sha256` (header, or query parameter hoisted by a
 * presigner, already merged into `hoisted`) and `Content-MD5`. Malformed values fail like S3 does.
 */
export function expectedDigests(
  headers: IncomingHttpHeaders,
  hoisted: Record<string, string>,
): ExpectedDigest[] {
  const expected: ExpectedDigest[] = [];
  const sha256 = header(headers, 'x-amz-checksum-sha256') ?? hoisted['x-amz-checksum-sha256'];
  if (sha256 !== undefined) {
    expected.push({
      algorithm: 'sha256',
      digest: decodeDigest(
        sha256,
        32,
        new S3Error(400, 'InvalidRequest', 'Value for x-amz-checksum-sha256 header is invalid.'),
      ),
      mismatch: new S3Error(
        400,
        'BadDigest',
        'The SHA256 you specified did not match the calculated checksum.',
      ),
    });
  }
  const md5 = header(headers, 'content-md5');
  if (md5 !== undefined) {
    expected.push({
      algorithm: 'md5',
      digest: decodeDigest(
        md5,
        16,
        new S3Error(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.'),
      ),
      mismatch: new S3Error(
        400,
        'BadDigest',
        'The Content-MD5 you specified did not match what we received.',
      ),
    });
  }
  return expected;
}

/** First mismatching digest of a complete body, if any. */
export function digestMismatch(body: Buffer, expected: ExpectedDigest[]): S3Error | undefined {
  return expected.find(({ algorithm, digest }) => !createHash(algorithm).update(body).digest().equals(digest))
    ?.mismatch;
}

/** Hashes a body as it streams; `mismatch()`, once the body has ended, names the first promised digest it failed. */
export function digestVerifier(expected: ExpectedDigest[]): {
  update(chunk: Buffer): void;
  mismatch(): S3Error | undefined;
} {
  const hashes: Hash[] = expected.map(({ algorithm }) => createHash(algorithm));
  return {
    update(chunk) {
      for (const hash of hashes) hash.update(chunk);
    },
    mismatch: () => expected.find(({ digest }, index) => !hashes[index]?.digest().equals(digest))?.mismatch,
  };
}

/**
 * Passes the body through while hashing it, but holds back the last chunk until the digests are known: on a
 * mismatch the stream fails before the upstream has the whole body, so the upstream (which parses complete bodies
 * only) never stores it. Memory stays at one chunk, whatever the upload size.
 */
export function verifyingStream(expected: ExpectedDigest[]): Transform {
  const verifier = digestVerifier(expected);
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      verifier.update(chunk);
      const previous = held;
      held = chunk;
      callback(null, previous);
    },
    flush(callback) {
      callback(verifier.mismatch(), held);
    },
  });
}
