import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { FILE_OBJECTS, fileObjectKey, requiredEnv, s3Client, type FileItem } from '@pixelvault/core';
import type { DownloadTarget } from '../domain/download';

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

/**
 * A presigned GET of one stored object that makes S3 answer with the target's Content-Disposition (and, for
 * variants, Content-Type): the response-* parameters are signed, so nobody can change them in the URL.
 */
export async function presignDownload(
  target: DownloadTarget,
  expiresInSeconds: number,
  now = new Date(),
): Promise<{ url: string; expiresAt: string }> {
  const url = await getSignedUrl(
    s3Client(),
    new GetObjectCommand({
      Bucket: requiredEnv('BUCKET_NAME'),
      Key: target.key,
      ResponseContentDisposition: target.contentDisposition,
      ...(target.contentType === undefined ? {} : { ResponseContentType: target.contentType }),
    }),
    { expiresIn: expiresInSeconds, signingDate: now },
  );
  return { url, expiresAt: new Date(now.getTime() + expiresInSeconds * 1000).toISOString() };
}

const isNoSuchUpload = (error: unknown) => (error as { name?: string } | null)?.name === 'NoSuchUpload';

/**
 * Removes every object a file may have, original and variants, with one DeleteObjects (keys that were never
 * written cost nothing), and aborts its multipart upload while it was still `pending`, so no parts linger.
 */
export async function removeFileObjects(file: FileItem): Promise<void> {
  const bucket = requiredEnv('BUCKET_NAME');
  const { Errors = [] } = await s3Client().send(
    new DeleteObjectsCommand({
      Bucket: bucket,
      Delete: { Objects: FILE_OBJECTS.map((object) => ({ Key: fileObjectKey(file, object) })), Quiet: true },
    }),
  );
  if (Errors.length > 0) {
    throw new Error(`objects of file ${file.fileId} not deleted: ${Errors.map((e) => e.Code).join(', ')}`);
  }
  if (file.state === 'pending' && file.multipart !== undefined) {
    await s3Client()
      .send(
        new AbortMultipartUploadCommand({
          Bucket: bucket,
          Key: file.objectKey!,
          UploadId: file.multipart.uploadId,
        }),
      )
      .catch((error: unknown) => {
        // Completed or aborted already: nothing is left to abort.
        if (!isNoSuchUpload(error)) throw error;
      });
  }
}
