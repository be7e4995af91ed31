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

// Not imported from registration.ts, which would pull @pixelvault/core's HTTP stack into the processor bundle;
// a unit test keeps the two equal.
export const DEFAULT_LIMITS: ImageLimits = { maxBytes: 200 * 1024 * 1024, maxPixels: 100_000_000 };

/** Not a tunable limit: exactly the types the processor sniffs and accepts. */
export const ALLOWED_CONTENT_TYPES: readonly AllowedContentType[] =
  Object.keys(ALLOWED_TYPES).filter(isAllowedContentType);

/**
 * One thing wrong with a declared upload. `too_large` is a 413 for the API, the others a 400; the processor
 * re-checks the real bytes, since a client may declare anything.
 */
export interface DeclarationProblem {
  field: 'size' | 'contentType';
  code: 'invalid' | 'too_large' | 'unsupported_type';
  reason: string;
}

/** Every problem of a declared registration (size, contentType), none when it may be uploaded. */
export function validateDeclaration(
  declared: { size: number; contentType: string },
  limits: ImageLimits = DEFAULT_LIMITS,
): DeclarationProblem[] {
  const problems: DeclarationProblem[] = [];
  if (!Number.isSafeInteger(declared.size) || declared.size < 1) {
    problems.push({ field: 'size', code: 'invalid', reason: 'must be a whole number of bytes, at least 1' });
  } else if (declared.size > limits.maxBytes) {
    problems.push({ field: 'size', code: 'too_large', reason: `must be at most ${limits.maxBytes} bytes` });
  }
  if (!isAllowedContentType(declared.contentType)) {
    problems.push({
      field: 'contentType',
      code: 'unsupported_type',
      reason: `must be one of ${ALLOWED_CONTENT_TYPES.join(', ')}`,
    });
  }
  return problems;
}
