import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  deleteObjects,
  claimFileForProcessing,
  expiresWithSession,
  isConditionalCheckFailed,
  publishEvents,
  requiredEnv,
  s3Client,
  selfVerifyingS3Client,
  transitionFile,
  type FileItem,
} from '@pixelvault/core';
import type { Readable } from 'node:stream';
import type { ProcessingPorts, StoredVariants } from '../domain/upload-processing';
import type { UploadNotice } from '../domain/upload-notice';
import { filesDb } from './db';
import { tenantUploadLimits } from './tenants';

/**
 * How long a claim keeps other deliveries away: past the function timeout (60 s), so a live processor is never
 * overtaken, and well inside the queue's visibility timeout (360 s), so a crashed one's redelivery finds it lapsed.
 */
export const PROCESSING_LEASE_MS = 120_000;

// Variants never change once written (a new upload is a new file id).
const VARIANT_CACHE_CONTROL = 'private, max-age=31536000, immutable';

const bucket = () => requiredEnv('BUCKET_NAME');

const isNoSuchKey = (error: unknown) => (error as { name?: string } | null)?.name === 'NoSuchKey';

/** The variants live next to the original: `.../f/<fileId>/thumbnail`. */
const variantKey = (file: FileItem, variant: string) => file.objectKey!.replace(/original$/, variant);

export const processingPorts: ProcessingPorts = {
  async openOriginal(notice: UploadNotice) {
    try {
      // processUpload hashes the whole original to check the declared SHA-256: no second hash by the SDK.
      const object = await selfVerifyingS3Client().send(
        new GetObjectCommand({ Bucket: notice.bucket, Key: notice.key }),
      );
      const body = object.Body as Readable;
      return { contentLength: object.ContentLength ?? 0, body, discard: () => body.destroy() };
    } catch (error) {
      if (isNoSuchKey(error)) return undefined;
      throw error;
    }
  },

  claim: (notice, now) =>
    claimFileForProcessing(
      filesDb(),
      { tenantId: notice.tenantId, fileId: notice.fileId },
      { objectKey: notice.key, now, leaseMs: PROCESSING_LEASE_MS },
    ),

  async storeVariants(file, variants) {
    const entries = await Promise.all(
      Object.entries(variants).map(async ([name, variant]) => {
        const key = variantKey(file, name);
        await s3Client().send(
          new PutObjectCommand({
            Bucket: bucket(),
            Key: key,
            Body: variant.buffer,
            ContentType: variant.contentType,
            CacheControl: VARIANT_CACHE_CONTROL,
          }),
        );
        const stored = {
          key,
          contentType: variant.contentType,
          width: variant.width,
          height: variant.height,
          size: variant.buffer.byteLength,
        };
        return [name, stored] as const;
      }),
    );
    return Object.fromEntries(entries) as StoredVariants;
  },

  async removeVariants(variants) {
    await deleteObjects(Object.values(variants).map((variant) => variant!.key));
  },

  // A ready file leaves the expiry index unless it goes with a guest's session; a rejected one keeps its
  // expiry, which removes the item (the scheduler removes its objects on the event).
  finish: (file, next, changes) =>
    transitionFile(filesDb(), { tenantId: file.tenantId, fileId: file.fileId }, next, changes, {
      clearExpiry: next === 'ready' && !expiresWithSession(file),
    }),

  async release(file) {
    await filesDb()
      .entities.file.patch({ tenantId: file.tenantId, fileId: file.fileId })
      .set({ processingLeaseUntil: new Date().toISOString() })
      .where(({ state }, { eq }) => eq(state, 'processing'))
      .go();
  },

  publish: publishEvents,

  uploadLimits: tenantUploadLimits,
};

/**
 * Marks the file of a notice that failed every delivery `rejected` (processing_failed), unless it finished
 * meanwhile or a live processor holds it. The file as it was, or undefined when nothing changed.
 */
export async function rejectUnprocessable(
  notice: UploadNotice,
  detail: string,
  now = new Date(),
): Promise<FileItem | undefined> {
  try {
    const { data } = await filesDb()
      .entities.file.patch({ tenantId: notice.tenantId, fileId: notice.fileId })
      .set({ state: 'rejected', rejection: { reason: 'processing_failed', detail } })
      .remove(['processingLeaseUntil'])
      .where(
        (attr, { eq, lt }) =>
          `${eq(attr.objectKey, notice.key)} AND (${eq(attr.state, 'pending')} OR (${eq(attr.state, 'processing')} AND ${lt(attr.processingLeaseUntil, now.toISOString())}))`,
      )
      .go({ response: 'all_old' });
    return data as FileItem;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}
