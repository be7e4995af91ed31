import { fileOfObjectKey } from '@pixelvault/core';

/** POST /complete's hint to the processor: the same work as the S3 notification, sooner if S3's is late. */
export interface UploadCompletedHint {
  type: 'upload-completed';
  bucket: string;
  key: string;
}

export const uploadCompletedHint = (bucket: string, key: string): UploadCompletedHint => ({
  type: 'upload-completed',
  bucket,
  key,
});

/** An uploaded original to process: from an S3 ObjectCreated record or a POST /complete hint. */
export interface UploadNotice {
  bucket: string;
  key: string;
  tenantId: string;
  owner: string;
  fileId: string;
}

interface S3EventRecordLike {
  eventSource?: unknown;
  eventName?: unknown;
  s3?: { bucket?: { name?: unknown }; object?: { key?: unknown } };
}

/** S3 event keys are URL-encoded with `+` for spaces. */
const decodeS3Key = (key: string) => decodeURIComponent(key.replace(/\+/g, ' '));

function notice(bucket: unknown, key: unknown): UploadNotice | undefined {
  if (typeof bucket !== 'string' || typeof key !== 'string') return undefined;
  const file = fileOfObjectKey(key);
  return file && { bucket, key, ...file };
}

/**
 * The uploads an SQS message body announces: [] for S3's s3:TestEvent (sent when notifications are configured)
 * and for ObjectCreated records of other keys; undefined when the body is not a message this queue carries.
 */
export function parseUploadNotices(body: string): UploadNotice[] | undefined {
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (message === null || typeof message !== 'object') return undefined;
  const fields = message as Record<string, unknown>;
  if (fields.Event === 's3:TestEvent') return [];
  if (fields.type === 'upload-completed') {
    const hinted = notice(fields.bucket, fields.key);
    return hinted ? [hinted] : undefined;
  }
  if (!Array.isArray(fields.Records)) return undefined;
  const notices: UploadNotice[] = [];
  for (const record of fields.Records as S3EventRecordLike[]) {
    if (record?.eventSource !== 'aws:s3' || typeof record.eventName !== 'string') return undefined;
    if (!record.eventName.startsWith('ObjectCreated:')) continue;
    const key = record.s3?.object?.key;
    const parsed = notice(record.s3?.bucket?.name, typeof key === 'string' ? decodeS3Key(key) : key);
    if (parsed) notices.push(parsed);
  }
  return notices;
}
