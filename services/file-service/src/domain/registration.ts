import { payloadTooLarge, SHA256_BASE64_PATTERN } from '@pixelvault/core';
import { z } from 'zod';
import { ALLOWED_CONTENT_TYPES, DEFAULT_LIMITS } from './limits';
import type { AllowedContentType } from './sniff';

/** The limits the processor enforces on the bytes are the ones registration enforces on the declaration. */
const MAX_UPLOAD_BYTES = DEFAULT_LIMITS.maxBytes;

/** A registration nobody uploads to is cleaned up after this long. */
export const PENDING_TTL_MS = 24 * 3600 * 1000;

/** How long the presigned PUT URL stays valid. */
export const UPLOAD_URL_TTL_SECONDS = 15 * 60;

export const registerFileBody = z.object({
  name: z.string().min(1).max(255),
  contentType: z.enum(ALLOWED_CONTENT_TYPES as [AllowedContentType, ...AllowedContentType[]]),
  // The upper bound is a 413, not a 400: checked by requireUploadSize once the body is well-formed.
  size: z.number().int().min(1),
  sha256: z
    .string()
    .regex(SHA256_BASE64_PATTERN, 'must be the base64 SHA-256 of the content (44 characters)'),
});

export type FileRegistration = z.infer<typeof registerFileBody>;

export function requireUploadSize(size: number): void {
  if (size > MAX_UPLOAD_BYTES) {
    throw payloadTooLarge(`A file may have at most ${MAX_UPLOAD_BYTES} bytes`, [
      { field: 'size', reason: `must be at most ${MAX_UPLOAD_BYTES} bytes (200 MiB)` },
    ]);
  }
}

export const pendingExpiry = (now: Date) => new Date(now.getTime() + PENDING_TTL_MS).toISOString();
