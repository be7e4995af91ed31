import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { logger, requiredEnv, s3Client } from '@pixelvault/core';

/** Stores a serialized document under its own key (never overwritten: each save writes a new key). */
export async function putDocument(key: string, documentJson: string): Promise<void> {
  await s3Client().send(
    new PutObjectCommand({
      Bucket: requiredEnv('BUCKET_NAME'),
      Key: key,
      Body: documentJson,
      ContentType: 'application/json',
    }),
  );
}

export async function readDocument(key: string): Promise<string> {
  const object = await s3Client().send(
    new GetObjectCommand({ Bucket: requiredEnv('BUCKET_NAME'), Key: key }),
  );
  return object.Body!.transformToString('utf8');
}

/** Best effort: the object of a save or order that did not happen. A leftover is harmless (nothing points to it). */
export async function discardDocument(key: string): Promise<void> {
  try {
    await s3Client().send(new DeleteObjectCommand({ Bucket: requiredEnv('BUCKET_NAME'), Key: key }));
  } catch (error) {
    logger.warn('Could not delete the document of a failed save or order', { key, error });
  }
}

/** Best effort: every document version under a deleted project's prefix (DeleteObjects takes 1000 keys). */
export async function discardProjectObjects(prefix: string): Promise<void> {
  const bucket = requiredEnv('BUCKET_NAME');
  try {
    let token: string | undefined;
    do {
      const page = await s3Client().send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      const keys = (page.Contents ?? []).map(({ Key }) => ({ Key: Key! }));
      if (keys.length > 0) {
        await s3Client().send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
        );
      }
      token = page.NextContinuationToken;
    } while (token);
  } catch (error) {
    logger.warn('Could not delete the objects of a deleted project', { prefix, error });
  }
}

/** Deletes these keys (an ended order's frozen documents); absent keys are no error. */
export async function discardObjects(keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const { Errors = [] } = await s3Client().send(
    new DeleteObjectsCommand({
      Bucket: requiredEnv('BUCKET_NAME'),
      Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
    }),
  );
  if (Errors.length > 0)
    throw new Error(`${Errors.length} objects not deleted: ${Errors.map((e) => e.Code).join(', ')}`);
}
