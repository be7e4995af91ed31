import {
  ALLOWED_CONTENT_TYPES,
  DEFAULT_LIMITS,
  DEFAULT_UPLOAD_LIMITS,
  uploadLimitsOf,
} from '../../src/domain/limits';

describe('DEFAULT_LIMITS', () => {
  it('takes originals up to 200 MiB and 100 megapixels', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxBytes: 200 * 1024 * 1024, maxPixels: 100_000_000 });
  });

  it('allows the six sniffable image types', () => {
    expect([...ALLOWED_CONTENT_TYPES].sort()).toEqual([
      'image/heic',
      'image/heif',
      'image/jpeg',
      'image/png',
      'image/tiff',
      'image/webp',
    ]);
  });
});

describe('uploadLimitsOf', () => {
  it('takes the defaults for what a tenant does not set', () => {
    expect(uploadLimitsOf(undefined)).toEqual(DEFAULT_UPLOAD_LIMITS);
    expect(uploadLimitsOf({ maxUploadBytes: 1024 })).toEqual({
      maxUploadBytes: 1024,
      contentTypes: ALLOWED_CONTENT_TYPES,
    });
  });

  it('narrows the types to the sniffable ones a tenant lists, ignoring any other', () => {
    // Act
    const limits = uploadLimitsOf({ uploadContentTypes: ['image/png', 'image/gif', 'image/jpeg'] });

    // Assert
    expect(limits.contentTypes).toEqual(['image/jpeg', 'image/png']);
  });
});
