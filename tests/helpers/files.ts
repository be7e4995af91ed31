import { createHash, randomBytes } from 'node:crypto';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LOCAL_CREDENTIALS } from '@pixelvault/local-aws';
import { callApi } from './identity';
import { takeMessages } from './queues';
import { testSystem } from './system';

/** Base64 SHA-256, as POST /v1/files and x-amz-checksum-sha256 take it. */
export const sha256Base64 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

export interface Registration {
  name: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** Random bytes (nothing sniffs them yet) and the registration that declares exactly them. */
export function newUpload(size = 1024, overrides: Partial<Registration> = {}) {
  const bytes = new Uint8Array(randomBytes(size));
  const registration: Registration = {
    name: `photo-${randomBytes(3).toString('hex')}.jpg`,
    contentType: 'image/jpeg',
    size,
    sha256: sha256Base64(bytes),
    ...overrides,
  };
  return { bytes, registration };
}

/** The public view of a file, as GET /v1/files/{id} answers it. */
export interface FileView {
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  state: string;
  width?: number;
  height?: number;
  format?: string;
  variants?: Record<string, { width: number; height: number }>;
  rejection?: { reason: string; detail?: string };
  createdAt: string;
  updatedAt: string;
}

export interface UploadInstructions {
  method: 'PUT';
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

export const registerFile = (token: string, body: unknown) => callApi('POST', '/v1/files', { token, body });

/** POST /v1/files that must succeed: the file and its upload instructions. */
export async function registeredFile(token: string, registration: Registration) {
  const response = await registerFile(token, registration);
  if (response.status !== 201) throw new Error(`register: ${response.status} ${await response.text()}`);
  return (await response.json()) as { file: FileView; upload: UploadInstructions };
}

/** PUTs `body` to a presigned upload URL with its headers, as a browser would; `headers` replace any of them. */
export async function putUpload(
  upload: UploadInstructions,
  body: Uint8Array,
  headers: Record<string, string> = {},
) {
  return fetch(upload.url, { method: upload.method, headers: { ...upload.headers, ...headers }, body });
}

/** The object key a presigned URL writes (path-style: /<bucket>/<key>). */
export function objectKeyOf(url: string): string {
  const [, , ...key] = new URL(url).pathname.split('/');
  return decodeURIComponent(key.join('/'));
}

function localS3(): S3Client {
  const system = testSystem();
  return new S3Client({
    endpoint: system.endpoints.s3,
    region: system.region,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
}

/** HeadObject in the system's bucket: the object's metadata, or undefined when there is none. */
export async function headObject(key: string) {
  const s3 = localS3();
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: testSystem().outputs.BucketName!, Key: key }));
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFound') return undefined;
    throw error;
  } finally {
    s3.destroy();
  }
}

/** One record of an S3 event notification, as S3 sends it to SQS. */
export interface S3EventRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size: number } };
}

// S3 event keys are URL-encoded, with `+` for spaces.
const decodeEventKey = (key: string) => decodeURIComponent(key.replace(/\+/g, ' '));

/**
 * Takes (receives and deletes) the post-upload queue's notification about `key`, or undefined after
 * `timeoutMs`. Nothing consumes that queue yet and other tests share it: messages about other keys are made
 * visible again at once.
 */
export async function takeUploadNotification(
  key: string,
  { timeoutMs = 10_000 }: { timeoutMs?: number } = {},
): Promise<S3EventRecord | undefined> {
  const [record] = await takeMessages(
    testSystem().outputs.PostUploadQueueUrl!,
    (body) =>
      ((body as { Records?: S3EventRecord[] } | null)?.Records ?? []).find(
        (candidate) => decodeEventKey(candidate.s3.object.key) === key,
      ),
    { count: 1, timeoutMs },
  );
  return record;
}
