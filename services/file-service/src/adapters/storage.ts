import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { formatUrl } from '@aws-sdk/core/util';
import { getSignedUrl, S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { HttpRequest } from '@smithy/core/protocols';
import { deleteObjects, requiredEnv, s3Client, storedFileObjectKeys, type FileItem } from '@pixelvault/core';
import type { CompletedPart, MultipartCompletion } from '../domain/completion';
import type { DownloadTarget } from '../domain/download';
import {
  MULTIPART_URL_TTL_SECONDS,
  partLength,
  UPLOAD_URL_TTL_SECONDS,
  type MultipartUpload,
  type PutUpload,
} from '../domain/registration';

const bucket = () => requiredEnv('BUCKET_NAME');

const errorName = (error: unknown) => (error as { name?: string } | null)?.name;

const expiresAt = (now: Date, seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();

/** Encodes one key segment as the SDK's serializer does (RFC 3986: also !'()*). */
const escapeSegment = (segment: string) =>
  encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

interface BucketPresigner {
  presigner: S3RequestPresigner;
  endpoint: URL;
  signingRegion: string | undefined;
}

let uploadPresigner: Promise<BucketPresigner> | undefined;

/**
 * What getSignedUrl works out on every call (the bucket's endpoint, a presigner for its signing region), once
 * per container: it also clones the client's middleware stack and serializes a command each time, which made
 * it several times slower than the signature itself.
 */
function bucketPresigner(): Promise<BucketPresigner> {
  return (uploadPresigner ??= (async () => {
    const client = s3Client();
    const { url, properties } = await getEndpointFromInstructions(
      { Bucket: bucket() },
      PutObjectCommand,
      client.config,
    );
    const authScheme = (
      properties?.authSchemes as Array<{ signingName?: string; signingRegion?: string }>
    )?.[0];
    const signingRegion = authScheme?.signingRegion;
    const presigner = new S3RequestPresigner({
      ...client.config,
      signingName: authScheme?.signingName,
      region: async () => signingRegion ?? (await client.config.region()),
    });
    return { presigner, endpoint: url, signingRegion };
  })());
}

/**
 * A presigned PUT that binds the upload to what was registered: Content-Type and Content-Length are signed,
 * and x-amz-checksum-sha256 is a signed header (not hoisted into the query string, where real S3 signs the
 * checksum but never checks the body against it), so S3 itself refuses any other body. The request is the one
 * the SDK serializes for PutObject (path-style or virtual-hosted as the endpoint says, `x-id` query).
 */
export async function presignUpload(
  object: { key: string; contentType: string; size: number; sha256: string },
  expiresInSeconds: number,
  now = new Date(),
): Promise<PutUpload> {
  const headers = {
    'content-type': object.contentType,
    'content-length': String(object.size),
    'x-amz-checksum-sha256': object.sha256,
  };
  const url = await presignObjectRequest(
    { method: 'PUT', key: object.key, query: { 'x-id': 'PutObject' }, headers },
    {
      expiresIn: expiresInSeconds,
      signingDate: now,
      signableHeaders: new Set(['content-type', 'content-length']),
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    },
  );
  return { method: 'PUT', url, headers, expiresAt: expiresAt(now, expiresInSeconds) };
}

/**
 * A presigned URL for a request on one object of the bucket, as the SDK would serialize it (path-style or
 * virtual-hosted as the endpoint says), signed by the container's presigner. It signs copies of the query and
 * headers: the presigner writes into the request it signs (x-amz-content-sha256), which callers return as is.
 */
async function presignObjectRequest(
  request: { method: string; key: string; query: Record<string, string>; headers: Record<string, string> },
  options: Parameters<S3RequestPresigner['presign']>[1],
): Promise<string> {
  const { presigner, endpoint, signingRegion } = await bucketPresigner();
  const basePath = endpoint.pathname.replace(/\/$/, '');
  const httpRequest = new HttpRequest({
    method: request.method,
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port === '' ? {} : { port: Number(endpoint.port) }),
    path: `${basePath}/${request.key.split('/').map(escapeSegment).join('/')}`,
    query: { ...request.query },
    headers: { ...request.headers },
  });
  return formatUrl(
    await presigner.presign(httpRequest, {
      ...options,
      ...(signingRegion === undefined ? {} : { signingRegion }),
    }),
  );
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
      Bucket: bucket(),
      Key: target.key,
      ResponseContentDisposition: target.contentDisposition,
      ...(target.contentType === undefined ? {} : { ResponseContentType: target.contentType }),
    }),
    { expiresIn: expiresInSeconds, signingDate: now },
  );
  return { url, expiresAt: expiresAt(now, expiresInSeconds) };
}

/**
 * Removes every object a file may have, original and variants (under its stored key: a claimed file keeps the
 * keys it was uploaded under), with one DeleteObjects (keys that were never
 * written cost nothing), and aborts its multipart upload while it was still `pending`, so no parts linger.
 */
export async function removeFileObjects(file: FileItem): Promise<void> {
  await deleteObjects(storedFileObjectKeys(file));
  if (file.state === 'pending' && file.multipart !== undefined) {
    await s3Client()
      .send(
        new AbortMultipartUploadCommand({
          Bucket: bucket(),
          Key: file.objectKey!,
          UploadId: file.multipart.uploadId,
        }),
      )
      .catch((error: unknown) => {
        // Completed or aborted already: nothing is left to abort.
        if (errorName(error) !== 'NoSuchUpload') throw error;
      });
  }
}

export const presignFileUpload = (file: FileItem, now: Date) =>
  presignUpload(
    { key: file.objectKey!, contentType: file.contentType, size: file.size, sha256: file.sha256 },
    UPLOAD_URL_TTL_SECONDS,
    now,
  );

/**
 * No ChecksumAlgorithm: S3's SHA-256 of a multipart upload is per part (COMPOSITE), and S3 then demands each
 * part's x-amz-checksum-sha256 on UploadPart and CompleteMultipartUpload. Those digests are unknown at
 * registration (the client declares the whole file's SHA-256), so the presigned URLs could not sign them, and an
 * unsigned x-amz-* header is refused on a presigned request. The whole file's SHA-256 is verified instead by the
 * processor, which reads every byte anyway; the part URLs sign Content-Length, so each part has its exact size.
 */
export async function startMultipartUpload(object: { key: string; contentType: string }): Promise<string> {
  const { UploadId } = await s3Client().send(
    new CreateMultipartUploadCommand({ Bucket: bucket(), Key: object.key, ContentType: object.contentType }),
  );
  if (!UploadId) throw new Error(`CreateMultipartUpload of ${object.key} returned no UploadId`);
  return UploadId;
}

/** A presigned UploadPart URL per part, each signing the part's exact Content-Length. */
export async function presignParts(file: FileItem, now: Date): Promise<MultipartUpload> {
  const multipart = file.multipart!;
  const parts = await Promise.all(
    Array.from({ length: multipart.partCount }, async (_, index) => {
      const partNumber = index + 1;
      const url = await presignObjectRequest(
        {
          method: 'PUT',
          key: file.objectKey!,
          query: { 'x-id': 'UploadPart', partNumber: String(partNumber), uploadId: multipart.uploadId },
          headers: { 'content-length': String(partLength(file.size, multipart, partNumber)) },
        },
        {
          expiresIn: MULTIPART_URL_TTL_SECONDS,
          signingDate: now,
          signableHeaders: new Set(['content-length']),
        },
      );
      return { partNumber, url };
    }),
  );
  return {
    method: 'MULTIPART',
    partSize: multipart.partSize,
    parts,
    expiresAt: expiresAt(now, MULTIPART_URL_TTL_SECONDS),
  };
}

// What S3 answers when the listed parts are not the ones it holds (a part not uploaded, a wrong ETag).
const PART_ERRORS = new Set(['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall']);

/** CompleteMultipartUpload: S3 then stores the object and notifies the post-upload queue. */
export async function completeMultipartUpload(
  file: FileItem,
  parts: readonly CompletedPart[],
): Promise<MultipartCompletion> {
  try {
    await s3Client().send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket(),
        Key: file.objectKey!,
        UploadId: file.multipart!.uploadId,
        MultipartUpload: {
          Parts: parts.map(({ partNumber, etag }) => ({ PartNumber: partNumber, ETag: etag })),
        },
      }),
    );
    return { ok: true };
  } catch (error) {
    const name = errorName(error);
    if (name !== undefined && PART_ERRORS.has(name)) {
      return { ok: false, reason: 'parts_mismatch', detail: (error as Error).message };
    }
    if (name === 'NoSuchUpload') return { ok: false, reason: 'no_such_upload' };
    throw error;
  }
}

/** HeadObject: whether the object is stored. */
export async function objectExists(key: string): Promise<boolean> {
  try {
    await s3Client().send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
    return true;
  } catch (error) {
    if (errorName(error) === 'NotFound' || errorName(error) === 'NoSuchKey') return false;
    throw error;
  }
}
