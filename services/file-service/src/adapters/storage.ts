import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { requiredEnv, s3Client } from '@pixelvault/core';

export interface PresignedUpload {
  method: 'PUT';
  url: string;
  /** Exactly what the client must send with the body, or the signature (or checksum) fails. */
  headers: Record<string, string>;
  expiresAt: string;
}

/**
 * A presigned PUT that binds the upload to what was registered: Content-Type and Content-Length are signed,
 * and x-amz-checksum-sha256 is a signed header (not hoisted into the query string, where real S3 signs the
 * checksum but never checks the body against it), so S3 itself refuses any other body.
 */
export async function presignUpload(
  object: { key: string; contentType: string; size: number; sha256: string },
  expiresInSeconds: number,
  now = new Date(),
): Promise<PresignedUpload> {
  const url = await getSignedUrl(
    s3Client(),
    new PutObjectCommand({
      Bucket: requiredEnv('BUCKET_NAME'),
      Key: object.key,
      ContentType: object.contentType,
      ContentLength: object.size,
      ChecksumSHA256: object.sha256,
    }),
    {
      expiresIn: expiresInSeconds,
      signingDate: now,
      signableHeaders: new Set(['content-type', 'content-length']),
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    },
  );
  return {
    method: 'PUT',
    url,
    headers: {
      'content-type': object.contentType,
      'content-length': String(object.size),
      'x-amz-checksum-sha256': object.sha256,
    },
    expiresAt: new Date(now.getTime() + expiresInSeconds * 1000).toISOString(),
  };
}
