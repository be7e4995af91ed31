import { ALLOWED_CONTENT_TYPES, DEFAULT_LIMITS, validateDeclaration } from '../../src/domain/limits';
import { MAX_UPLOAD_BYTES } from '../../src/domain/registration';

describe('DEFAULT_LIMITS', () => {
  it('takes originals up to 200 MiB and 100 megapixels', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxBytes: 200 * 1024 * 1024, maxPixels: 100_000_000 });
  });

  it('takes exactly as many bytes as registration lets a client declare', () => {
    expect(DEFAULT_LIMITS.maxBytes).toBe(MAX_UPLOAD_BYTES);
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

describe('validateDeclaration', () => {
  it('finds nothing wrong with an allowed type at the size limit', () => {
    expect(validateDeclaration({ size: DEFAULT_LIMITS.maxBytes, contentType: 'image/heic' })).toEqual([]);
  });

  it('names the size as too_large one byte over the limit', () => {
    // Arrange
    const declared = { size: DEFAULT_LIMITS.maxBytes + 1, contentType: 'image/jpeg' };

    // Act
    const problems = validateDeclaration(declared);

    // Assert
    expect(problems).toEqual([
      { field: 'size', code: 'too_large', reason: expect.stringContaining('209715200') },
    ]);
  });

  it.each([0, -1, 1.5, Number.NaN])('names a size of %p as invalid', (size) => {
    expect(validateDeclaration({ size, contentType: 'image/png' })).toEqual([
      { field: 'size', code: 'invalid', reason: expect.any(String) },
    ]);
  });

  it.each(['text/plain', 'image/gif', 'image/avif', 'IMAGE/JPEG', ''])(
    'names the content type %p as unsupported_type',
    (contentType) => {
      expect(validateDeclaration({ size: 10, contentType })).toEqual([
        { field: 'contentType', code: 'unsupported_type', reason: expect.stringContaining('image/jpeg') },
      ]);
    },
  );

  it('reports every offending field at once', () => {
    expect(validateDeclaration({ size: 0, contentType: 'text/plain' }).map((p) => p.field)).toEqual([
      'size',
      'contentType',
    ]);
  });

  it('applies limits passed in instead of the defaults', () => {
    expect(
      validateDeclaration({ size: 11, contentType: 'image/png' }, { maxBytes: 10, maxPixels: 1 }),
    ).toEqual([expect.objectContaining({ field: 'size', code: 'too_large' })]);
  });
});
