import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { deletePrefix, logger, publishEvents, requiredEnv, s3Client } from '@pixelvault/core';

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

/**
 * Best effort: hands the document object a save replaced to the cleanup worker, visible only after
 * SUPERSEDED_DOCUMENT_DELAY_SECONDS, so a reader that read the older version's item just before still finds its
 * object. A leftover (the message not sent) goes when the project is deleted.
 */
export async function sendSupersededDocument(
  project: { tenantId: string; projectId: string },
  documentKey: string,
  at: Date,
): Promise<void> {
  try {
    await publishEvents(
      [
        {
          type: 'document-superseded',
          tenantId: project.tenantId,
          projectId: project.projectId,
          documentKey,
          at: at.toISOString(),
        },
      ],
      { delaySeconds: Number(requiredEnv('SUPERSEDED_DOCUMENT_DELAY_SECONDS')) },
    );
  } catch (error) {
    logger.warn('Could not hand a superseded document to the cleanup worker', { documentKey, error });
  }
}
