import { ALLOWED_TYPES, isAllowedContentType, type AllowedContentType } from './sniff';

export interface ImageLimits {
  /** Largest original accepted, in bytes (one presigned PUT). */
  maxBytes: number;
  /**
   * Largest decoded image, width x height. 100 MP covers every phone and most DSLRs (a 61 MP full-frame sensor
   * is 9504x6336) and keeps even a fully decoded RGBA frame at 400 MB at most.
   */
  maxPixels: number;
}

// Registration imports these (not the other way round, which would pull core's HTTP stack into the processor).
export const DEFAULT_LIMITS: ImageLimits = { maxBytes: 200 * 1024 * 1024, maxPixels: 100_000_000 };

/** Not a tunable limit: exactly the types the processor sniffs and accepts. */
export const ALLOWED_CONTENT_TYPES: readonly AllowedContentType[] =
  Object.keys(ALLOWED_TYPES).filter(isAllowedContentType);

/** What a tenant lets its customers upload: checked on the declaration at registration, on the bytes after. */
export interface UploadLimits {
  maxUploadBytes: number;
  contentTypes: readonly AllowedContentType[];
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxUploadBytes: DEFAULT_LIMITS.maxBytes,
  contentTypes: ALLOWED_CONTENT_TYPES,
};

/**
 * A tenant's settings over the defaults. A tenant may narrow the types, never widen them past what the
 * processor sniffs: unknown types in its list are ignored.
 */
export function uploadLimitsOf(
  settings: { maxUploadBytes?: number; uploadContentTypes?: readonly string[] } | undefined,
): UploadLimits {
  const { maxUploadBytes, uploadContentTypes } = settings ?? {};
  return {
    maxUploadBytes: maxUploadBytes ?? DEFAULT_UPLOAD_LIMITS.maxUploadBytes,
    contentTypes:
      uploadContentTypes === undefined
        ? DEFAULT_UPLOAD_LIMITS.contentTypes
        : ALLOWED_CONTENT_TYPES.filter((type) => uploadContentTypes.includes(type)),
  };
}
