import { ApiError, badRequest, type FileItem } from '@pixelvault/core';
import { z } from 'zod';

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/** `parts` is required for a multipart upload and ignored for a single PUT (whose body may be empty). */
export const completeUploadBody = z
  .object({
    parts: z
      .array(
        z.object({
          partNumber: z.number().int().min(1).max(10_000),
          etag: z.string().min(1).max(128),
        }),
      )
      .min(1)
      .max(10_000)
      .optional(),
  })
  .optional();

export type CompleteUploadBody = z.infer<typeof completeUploadBody>;

export type MultipartCompletion =
  | { ok: true }
  /** parts_mismatch: S3 holds other parts (one not uploaded, a wrong ETag); no_such_upload: completed or aborted. */
  | { ok: false; reason: 'parts_mismatch'; detail: string }
  | { ok: false; reason: 'no_such_upload' };

/** What completing an upload needs from storage and the queue (the AWS adapters implement it). */
export interface CompletionPorts {
  objectExists(key: string): Promise<boolean>;
  completeMultipart(file: FileItem, parts: readonly CompletedPart[]): Promise<MultipartCompletion>;
  /** Tells the processor the original is there (the same work as S3's notification, sooner if that is late). */
  sendHint(key: string): Promise<void>;
}

const invalidParts = (reason: string) =>
  badRequest(`Invalid request body: parts: ${reason}`, [{ field: 'parts', reason }]);

/** The parts of a multipart upload as S3 needs them: every part 1..partCount once, in order. */
export function requireAllParts(
  body: CompleteUploadBody,
  multipart: NonNullable<FileItem['multipart']>,
): CompletedPart[] {
  const parts = body?.parts;
  if (parts === undefined)
    throw invalidParts(`required: the ETag of each of the ${multipart.partCount} parts`);
  const inOrder = parts.every(({ partNumber }, index) => partNumber === index + 1);
  if (parts.length !== multipart.partCount || !inOrder) {
    throw invalidParts(`must list parts 1 to ${multipart.partCount} in order, each once`);
  }
  return parts;
}

const uploadMissing = () =>
  new ApiError(
    409,
    'upload_missing',
    'Nothing has been uploaded for this file yet; upload it, then complete',
  );

/**
 * POST /v1/files/{id}/complete. A multipart upload is completed (S3 then notifies the processor); otherwise it
 * is a hint: the original must be stored, and the processor is told at once (a duplicate of S3's notification
 * costs one skipped claim). A file already processing or processed needs nothing (202 again); a rejected one
 * cannot be completed (409).
 */
export async function completeUpload(
  file: FileItem,
  body: CompleteUploadBody,
  ports: CompletionPorts,
): Promise<void> {
  if (file.state === 'processing' || file.state === 'ready') return;
  if (file.state === 'rejected') {
    throw new ApiError(409, 'upload_rejected', 'This upload was rejected; register the file again', {
      reason: file.rejection?.reason,
    });
  }
  const key = file.objectKey!;
  if (file.multipart !== undefined) {
    const parts = requireAllParts(body, file.multipart);
    const completion = await ports.completeMultipart(file, parts);
    if (completion.ok) return;
    if (completion.reason === 'parts_mismatch') {
      throw new ApiError(409, 'upload_incomplete', 'The listed parts are not the parts uploaded', [
        { field: 'parts', reason: completion.detail },
      ]);
    }
    // No such upload: completed by an earlier call (then the hint below repeats its notification) or aborted.
  }
  if (!(await ports.objectExists(key))) throw uploadMissing();
  await ports.sendHint(key);
}
