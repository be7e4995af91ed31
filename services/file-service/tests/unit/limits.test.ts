import { ALLOWED_CONTENT_TYPES, DEFAULT_LIMITS } from '../../src/domain/limits';

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
