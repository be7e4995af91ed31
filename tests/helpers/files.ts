import { createHash, randomBytes } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS } from '@pixelvault/local-aws';
import { eventMessage } from '@pixelvault/local-aws/src/s3-fidelity/notifications';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { callApi } from './identity';
import { invokeWithSqsBatch, sqsBatchEvent, takeMessages } from './queues';
import { FILE_OBJECTS, fileObjectKey } from '@pixelvault/core/src/entities/file';
import { systemDb, testSystem } from './system';

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

/** Above the multipart threshold: one presigned UploadPart URL per part. */
export interface MultipartInstructions {
  method: 'MULTIPART';
  partSize: number;
  parts: { partNumber: number; url: string }[];
  expiresAt: string;
}

export const registerFile = (token: string, body: unknown) => callApi('POST', '/v1/files', { token, body });

/** POST /v1/files that must succeed: the file and its upload instructions. */
export async function registeredFile(token: string, registration: Registration) {
  const response = await registerFile(token, registration);
  if (response.status !== 201) throw new Error(`register: ${response.status} ${await response.text()}`);
  return (await response.json()) as { file: FileView; upload: UploadInstructions };
}

export const requestDownload = (token: string, fileId: string, query = '') =>
  callApi('GET', `/v1/files/${fileId}/download${query}`, { token });

/** GET /v1/files/{id}/download that must succeed: the presigned GET of `variant`. */
export async function downloadLink(token: string, fileId: string, variant?: string) {
  const response = await requestDownload(token, fileId, variant === undefined ? '' : `?variant=${variant}`);
  if (response.status !== 200) throw new Error(`download: ${response.status} ${await response.text()}`);
  return (await response.json()) as { url: string; expiresAt: string };
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

/** An S3 client with storage credentials on the system's S3 endpoint (callers destroy it). */
export function localS3(): S3Client {
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

/** GetObject in the system's bucket: the whole body, or undefined when there is no such object. */
export async function objectBytes(key: string): Promise<Buffer | undefined> {
  const s3 = localS3();
  try {
    const object = await s3.send(
      new GetObjectCommand({ Bucket: testSystem().outputs.BucketName!, Key: key }),
    );
    return Buffer.from(await object.Body!.transformToByteArray());
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  } finally {
    s3.destroy();
  }
}

/** Writes an object with storage credentials, bypassing the presigned URL's checks (what a bug or an operator could do). */
export async function putObjectDirectly(key: string, body: Uint8Array, contentType: string): Promise<void> {
  const s3 = localS3();
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: testSystem().outputs.BucketName!,
        Key: key,
        Body: body,
        ContentType: contentType,
      }),
    );
  } finally {
    s3.destroy();
  }
}

/** Registers `bytes` as declared and PUTs them to the presigned URL, as the editor does. */
export async function uploadFile(
  token: string,
  bytes: Uint8Array,
  { contentType = 'image/jpeg', name = `photo-${randomBytes(3).toString('hex')}.jpg` } = {},
) {
  const { file, upload } = await registeredFile(token, {
    name,
    contentType,
    size: bytes.byteLength,
    sha256: sha256Base64(bytes),
  });
  const response = await putUpload(upload, bytes);
  if (response.status !== 200) throw new Error(`upload: ${response.status} ${await response.text()}`);
  return { file, key: objectKeyOf(upload.url) };
}

/** The file once processing finished (`ready` or `rejected`); throws after `timeoutMs`. */
export async function processedFile(token: string, fileId: string, timeoutMs = 30_000): Promise<FileView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await callApi('GET', `/v1/files/${fileId}`, { token });
    const file = (await response.json()) as FileView;
    if (file.state === 'ready' || file.state === 'rejected') return file;
    if (Date.now() > deadline) throw new Error(`file ${fileId} still ${file.state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The message S3 sends the post-upload queue when `key` is created, in its real shape. */
export function objectCreatedMessage(key: string, size: number): string {
  const system = testSystem();
  const id = randomBytes(8).toString('hex').toUpperCase();
  return eventMessage(
    {
      eventName: 'ObjectCreated:Put',
      region: system.region,
      time: new Date(),
      bucket: system.outputs.BucketName!,
      key,
      object: { size, eTag: randomBytes(16).toString('hex') },
      principalId: 'AWS:PIXELVAULT-TEST',
      sourceIp: '127.0.0.1',
      requestId: id,
      hostId: id,
      sequencer: id,
    },
    'post-upload',
  );
}

function localSqs(): SQSClient {
  const system = testSystem();
  return new SQSClient({
    endpoint: system.endpoints.sqs,
    region: system.region,
    credentials: LOCAL_CREDENTIALS,
  });
}

/** Sends message bodies to a queue in one SendMessageBatch (at most ten). */
export async function sendMessages(queueUrl: string, bodies: string[]): Promise<void> {
  const sqs = localSqs();
  try {
    const { Failed = [] } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
    if (Failed.length > 0) throw new Error(`not sent: ${JSON.stringify(Failed)}`);
  } finally {
    sqs.destroy();
  }
}

/** An SQS event carrying these bodies from the post-upload queue, as the poller hands it to the processor. */
export const postUploadEvent = (bodies: string[]): SQSEvent =>
  sqsBatchEvent(testSystem().outputs.PostUploadQueueArn!, bodies);

/** Invokes the file service's post-upload processor with one SQS batch of these bodies, as the poller would. */
export async function invokeProcessor(bodies: string[]): Promise<SQSBatchResponse> {
  return invokeWithSqsBatch(
    'file-service',
    'processUploads',
    testSystem().outputs.PostUploadQueueArn!,
    bodies,
  );
}

/** A file-state-changed event the file service published, as the scheduler receives it. */
export interface FileEvent {
  type: 'file-state-changed';
  fileId: string;
  from: string;
  to: string;
  reason?: string;
}

/** Takes the events published about `fileId` from the scheduler's queue; `settleMs` catches an extra one. */
export function takeFileEvents(fileId: string, count: number, settleMs = 0): Promise<FileEvent[]> {
  return takeMessages(
    testSystem().outputs.CleanupQueueUrl!,
    (body) => {
      const event = body as Partial<FileEvent> | null;
      return event?.type === 'file-state-changed' && event.fileId === fileId
        ? (event as FileEvent)
        : undefined;
    },
    { count, settleMs, timeoutMs: 20_000 },
  );
}

/** POST /v1/files/batch with these items (any JSON, to test the envelope too). */
export const registerBatch = (token: string, body: unknown) =>
  callApi('POST', '/v1/files/batch', { token, body });

export const completeUpload = (token: string, fileId: string, body?: unknown) =>
  callApi('POST', `/v1/files/${fileId}/complete`, { token, body });

/** PUTs each part's slice of `bytes` to its presigned URL, as a browser would; the parts to complete with. */
export async function uploadParts(upload: MultipartInstructions, bytes: Uint8Array) {
  const completed: { partNumber: number; etag: string }[] = [];
  // One part at a time: eight 8 MiB bodies in flight would only compete for the 2 cores the stack runs on.
  for (const { partNumber, url } of upload.parts) {
    const body = bytes.subarray((partNumber - 1) * upload.partSize, partNumber * upload.partSize);
    const response = await fetch(url, { method: 'PUT', body });
    if (response.status !== 200)
      throw new Error(`part ${partNumber}: ${response.status} ${await response.text()}`);
    completed.push({ partNumber, etag: response.headers.get('etag')! });
  }
  return completed;
}

/**
 * Stores an object straight in fauxqs, behind the S3 fidelity layer, so no notification is sent: what a late
 * (or lost) S3 event notification looks like to the processor. With `sha256`, S3 keeps it as the object's
 * checksum, as it does for a presigned upload.
 */
export async function putObjectUnannounced(
  key: string,
  body: Uint8Array,
  contentType: string,
  sha256?: string,
): Promise<void> {
  const system = testSystem();
  const s3 = new S3Client({
    endpoint: system.endpoints.sqs,
    region: system.region,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: system.outputs.BucketName!,
        Key: key,
        Body: body,
        ContentType: contentType,
        ...(sha256 === undefined ? {} : { ChecksumSHA256: sha256 }),
      }),
    );
  } finally {
    s3.destroy();
  }
}

/** A file's item, read strongly consistent (what a worker or handler just wrote). */
export const fileItem = async (tenantId: string, fileId: string) =>
  (await systemDb().entities.file.get({ tenantId, fileId }).go({ consistent: true })).data;

/** The three object keys of a file uploaded by `owner`. */
export const fileObjectKeys = (tenantId: string, owner: string, fileId: string) =>
  FILE_OBJECTS.map((object) => fileObjectKey({ tenantId, owner, fileId }, object));

/** Stores all three objects of each file, as an upload and its processing would have. */
export async function storeFileObjects(tenantId: string, owner: string, fileIds: string[]): Promise<void> {
  await Promise.all(
    fileIds.flatMap((fileId) =>
      fileObjectKeys(tenantId, owner, fileId).map((key) =>
        putObjectDirectly(key, randomBytes(64), 'image/jpeg'),
      ),
    ),
  );
}

/** How many of these files' objects storage still holds. */
export async function fileObjectsLeft(tenantId: string, owner: string, fileIds: string[]): Promise<number> {
  const held = await Promise.all(
    fileIds.flatMap((fileId) => fileObjectKeys(tenantId, owner, fileId).map((key) => objectBytes(key))),
  );
  return held.filter((bytes) => bytes !== undefined).length;
}
