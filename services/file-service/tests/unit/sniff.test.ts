import { ALLOWED_TYPES, checkDeclaredType, sniffImageType, type DetectedType } from '../../src/domain/sniff';
import {
  avifImage,
  ftypHead,
  jpegImage,
  pngImage,
  textFile,
  tiffImage,
  truncatedJpeg,
  webpImage,
} from '../helpers/images';

describe('sniffImageType', () => {
  it.each<[DetectedType, () => Promise<Buffer>]>([
    ['jpeg', jpegImage],
    ['png', pngImage],
    ['webp', webpImage],
    ['tiff', tiffImage],
    ['avif', avifImage],
  ])('recognizes a real %s by its magic bytes', async (expected, make) => {
    // Arrange
    const image = await make();

    // Act
    const detected = sniffImageType(image.subarray(0, 64));

    // Assert
    expect(detected).toBe(expected);
  });

  it('recognizes big-endian TIFF', () => {
    expect(sniffImageType(Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]))).toBe('tiff');
  });

  it.each<[string, string, string[], DetectedType]>([
    ['an iPhone HEIC', 'heic', ['mif1', 'heic'], 'heic'],
    ['a HEIC with mif1 as major brand', 'mif1', ['heic'], 'heic'],
    ['a HEVC image sequence', 'msf1', ['hevc'], 'heic'],
    ['a generic HEIF', 'mif1', ['mif1'], 'heif'],
    ['a generic HEIF sequence', 'msf1', [], 'heif'],
    ['an AVIF sequence', 'avis', ['msf1'], 'avif'],
  ])('classifies %s by its ftyp brands', (_name, major, compatible, expected) => {
    expect(sniffImageType(ftypHead(major, compatible))).toBe(expected);
  });

  it.each<[string, Buffer]>([
    ['a text file', textFile()],
    ['an empty file', Buffer.alloc(0)],
    ['an MP4 video (ISO BMFF, not HEIF)', ftypHead('isom', ['iso2', 'mp41'])],
    ['a RIFF that is not WebP (WAV)', Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1')],
    ['a GIF', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')],
    ['a PDF', Buffer.from('%PDF-1.7\n', 'latin1')],
    ['two bytes of a JPEG', Buffer.from([0xff, 0xd8])],
  ])('finds no image in %s', (_name, head) => {
    expect(sniffImageType(head)).toBeUndefined();
  });

  it('still recognizes a truncated JPEG (sniffing reads the head only; decoding catches the rest)', async () => {
    expect(sniffImageType(await truncatedJpeg())).toBe('jpeg');
  });
});

describe('checkDeclaredType', () => {
  it('accepts every allowed content type with its own detected type', () => {
    for (const [contentType, detectedTypes] of Object.entries(ALLOWED_TYPES)) {
      expect(checkDeclaredType(contentType, detectedTypes[0])).toEqual({
        ok: true,
        contentType,
        detected: detectedTypes[0],
      });
    }
  });

  it('refuses content that is no allowed image as unsupported_type (a text file named .jpg)', () => {
    // Arrange
    const detected = sniffImageType(textFile());

    // Act
    const check = checkDeclaredType('image/jpeg', detected);

    // Assert
    expect(check).toEqual({ ok: false, reason: 'unsupported_type', detail: expect.any(String) });
  });

  it('refuses a declared type outside the allowlist as unsupported_type', () => {
    expect(checkDeclaredType('image/gif', 'png')).toMatchObject({ ok: false, reason: 'unsupported_type' });
  });

  it('refuses an allowed image of another type than declared as type_mismatch, naming both', () => {
    expect(checkDeclaredType('image/jpeg', 'png')).toEqual({
      ok: false,
      reason: 'type_mismatch',
      detail: 'declared image/jpeg, but the content is image/png',
    });
  });

  it.each<[string, DetectedType]>([
    ['image/heic', 'heif'],
    ['image/heif', 'heic'],
    ['image/heif', 'avif'],
  ])('treats HEIC, HEIF and AVIF as one family: %s holding %s passes', (declared, detected) => {
    expect(checkDeclaredType(declared, detected)).toMatchObject({ ok: true });
  });

  it('ignores parameters and case in the declared type', () => {
    expect(checkDeclaredType('Image/PNG; charset=binary', 'png')).toMatchObject({ ok: true });
  });
});
