import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { chunksOf, requiredEnv, s3Client } from '@pixelvault/core';

/** S3's limit per DeleteObjects request. */
export const DELETE_OBJECTS_MAX_KEYS = 1000;

/** Deletes the keys in calls of at most 1000 (quiet mode: only failures come back); absent keys are no error. */
export async function deleteObjects(keys: readonly string[]): Promise<void> {
  for (const chunk of chunksOf([...keys], DELETE_OBJECTS_MAX_KEYS)) {
    const { Errors = [] } = await s3Client().send(
      new DeleteObjectsCommand({
        Bucket: requiredEnv('BUCKET_NAME'),
        Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    if (Errors.length > 0) {
      throw new Error(
        `${Errors.length} objects not deleted: ${Errors.map((e) => `${e.Key} ${e.Code}`).join(', ')}`,
      );
    }
  }
}
