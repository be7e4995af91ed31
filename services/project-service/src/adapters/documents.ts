import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { deletePrefix, logger, requiredEnv, s3Client } from '@pixelvault/core';

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

/** Best effort: every document version under a deleted project's prefix. */
export async function discardProjectObjects(prefix: string): Promise<void> {
  try {
    await deletePrefix(prefix);
  } catch (error) {
    logger.warn('Could not delete the objects of a deleted project', { prefix, error });
  }
}
