import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { chunksOf } from '../chunks';
import { requiredEnv } from '../config';
import { s3Client } from './clients';

/** S3's limit per DeleteObjects request. */
export const DELETE_OBJECTS_MAX_KEYS = 1000;

/** Deletes the keys in calls of at most 1000 (quiet mode: only failures come back); absent keys are no error. */
export async function deleteObjects(keys: readonly string[]): Promise<void> {
  for (const chunk of chunksOf(keys, DELETE_OBJECTS_MAX_KEYS)) {
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

/** Deletes every object under the prefix, a listed page (<= 1000 keys) per DeleteObjects; how many there were. */
export async function deletePrefix(prefix: string): Promise<number> {
  let token: string | undefined;
  let deleted = 0;
  do {
    const page = await s3Client().send(
      new ListObjectsV2Command({
        Bucket: requiredEnv('BUCKET_NAME'),
        Prefix: prefix,
        ContinuationToken: token,
      }),
    );
    const keys = (page.Contents ?? []).map(({ Key }) => Key!);
    await deleteObjects(keys);
    deleted += keys.length;
    token = page.NextContinuationToken;
  } while (token);
  return deleted;
}
