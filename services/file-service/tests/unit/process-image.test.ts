import { Readable } from 'node:stream';
import sharp from 'sharp';
import { processImage, type ProcessedImage, type ProcessResult } from '../../src/domain/process-image';
import {
  avifImage,
  BLUE,
  expectColour,
  GPS_SENTINEL,
  heicImage,
  orientedJpegWithGps,
  pixelAt,
  pngBomb,
  pngImage,
  RED,
  textFile,
  tiffImage,
  translucentPng,
  truncatedJpeg,
  twoColour,
  webpImage,
} from '../helpers/images';

function expectProcessed(result: ProcessResult): asserts result is ProcessedImage {
  expect(result).toMatchObject({ ok: true });
}

/** Close enough for lossy encoders: each channel within 24 of the expected colour. */
describe('processImage', () => {
  describe('orientation', () => {
    let jpeg: Buffer;
    let result: ProcessResult;
    beforeAll(async () => {
      jpeg = await orientedJpegWithGps();
      result = await processImage(jpeg, { declaredContentType: 'image/jpeg' });
    });

    it('reports the dimensions as displayed: 400x200 with orientation 6 is 200x400', async () => {
      // Arrange: the fixture is stored 400x200, with orientation 6.
      expect(await sharp(jpeg).metadata()).toMatchObject({ width: 400, height: 200, orientation: 6 });

      // Act: processed in beforeAll.

      // Assert
      expectProcessed(result);
      expect(result).toMatchObject({ width: 200, height: 400, format: 'jpeg', detectedType: 'jpeg' });
    });

    it('turns the variants clockwise: the left (red) half ends up on top, the right (blue) below', async () => {
      expectProcessed(result);
      const { preview, thumbnail } = result.variants;
      expect(preview).toMatchObject({ width: 200, height: 400 });
      expect(thumbnail).toMatchObject({ width: 128, height: 256 });
      expectColour(await pixelAt(preview.buffer, 100, 50), RED);
      expectColour(await pixelAt(preview.buffer, 100, 350), BLUE);
      expectColour(await pixelAt(thumbnail.buffer, 64, 20), RED);
      expectColour(await pixelAt(thumbnail.buffer, 64, 236), BLUE);
    });

    it('strips EXIF (GPS included) from every variant', async () => {
      // The fixture does carry GPS: otherwise this test would prove nothing.
      expect((await sharp(jpeg).metadata()).exif?.includes(GPS_SENTINEL)).toBe(true);
      expectProcessed(result);
      for (const variant of Object.values(result.variants)) {
        const metadata = await sharp(variant.buffer).metadata();
        expect(metadata.exif).toBeUndefined();
        expect(metadata.orientation).toBeUndefined();
        expect(variant.buffer.includes(GPS_SENTINEL)).toBe(false);
      }
    });
  });

  describe('sizes', () => {
    it('fits a large image inside 256 (thumbnail) and 1600 (preview), keeping the aspect ratio', async () => {
      // Arrange
      const image = await twoColour(3000, 2000).png({ compressionLevel: 1 }).toBuffer();

      // Act
      const result = await processImage(image, { declaredContentType: 'image/png' });

      // Assert
      expectProcessed(result);
      expect(result).toMatchObject({ width: 3000, height: 2000 });
      expect(result.variants.preview).toMatchObject({ width: 1600, height: 1067 });
      expect(result.variants.thumbnail).toMatchObject({ width: 256, height: 171 });
    });

    it('never upscales a small image', async () => {
      // Arrange
      const image = await pngImage(64, 48);

      // Act
      const result = await processImage(image, { declaredContentType: 'image/png' });

      // Assert
      expectProcessed(result);
      expect(result.variants.thumbnail).toMatchObject({ width: 64, height: 48 });
      expect(result.variants.preview).toMatchObject({ width: 64, height: 48 });
    });
  });

  describe('formats', () => {
    it.each<[string, string, () => Promise<Buffer>, string]>([
      ['PNG', 'image/png', () => pngImage(), 'png'],
      ['WebP', 'image/webp', () => webpImage(), 'webp'],
      ['TIFF', 'image/tiff', () => tiffImage(), 'tiff'],
      ['AVIF declared as HEIF', 'image/heif', () => avifImage(), 'heif'],
    ])('records the format of a %s and renders WebP variants', async (_name, contentType, make, format) => {
      // Arrange
      const image = await make();

      // Act
      const result = await processImage(image, { declaredContentType: contentType });

      // Assert
      expectProcessed(result);
      expect(result).toMatchObject({ format, width: 64, height: 48 });
      for (const variant of Object.values(result.variants)) {
        expect(variant.contentType).toBe('image/webp');
        expect((await sharp(variant.buffer).metadata()).format).toBe('webp');
      }
    });

    it('decodes a HEVC HEIC, which prebuilt libvips cannot, into opaque variants the right way round', async () => {
      // Arrange: libvips reads the header but not the pixels, so this test proves the HEIC path does.
      const heic = heicImage();
      await expect(sharp(heic).raw().toBuffer()).rejects.toThrow();

      // Act
      const result = await processImage(heic, { declaredContentType: 'image/heic' });

      // Assert
      expectProcessed(result);
      expect(result).toMatchObject({ detectedType: 'heic', format: 'heif', width: 96, height: 64 });
      const { preview, thumbnail } = result.variants;
      expect(preview).toMatchObject({ width: 96, height: 64 });
      expect((await sharp(preview.buffer).metadata()).hasAlpha).toBe(false);
      expectColour(await pixelAt(preview.buffer, 10, 32), RED);
      expectColour(await pixelAt(preview.buffer, 86, 32), BLUE);
      expectColour(await pixelAt(thumbnail.buffer, 86, 32), BLUE);
    });

    it('refuses a HEIC whose pixel data is cut off as undecodable', async () => {
      // Arrange
      const heic = heicImage();
      const truncated = heic.subarray(0, heic.length - 200);

      // Act
      const result = await processImage(truncated, { declaredContentType: 'image/heic' });

      // Assert
      expect(result).toMatchObject({ ok: false, reason: 'undecodable' });
    });

    it('keeps transparency (a JPEG variant would have turned it black)', async () => {
      // Arrange
      const image = await translucentPng();

      // Act
      const result = await processImage(image, { declaredContentType: 'image/png' });

      // Assert
      expectProcessed(result);
      const { data } = await sharp(result.variants.thumbnail.buffer)
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect(data[3]).toBeGreaterThan(100);
      expect(data[3]).toBeLessThan(155);
    });

    it('converts an embedded colour profile to sRGB instead of dropping it', async () => {
      // Arrange: sRGB green (0, 200, 0), stored in Display P3 as about (90, 197, 59).
      const green = Buffer.alloc(16 * 16 * 3);
      for (let i = 0; i < 256; i++) green.set([0, 200, 0], i * 3);
      const p3 = await sharp(green, { raw: { width: 16, height: 16, channels: 3 } })
        .withIccProfile('p3')
        .jpeg({ quality: 100 })
        .toBuffer();

      // Act
      const result = await processImage(p3, { declaredContentType: 'image/jpeg' });

      // Assert
      expectProcessed(result);
      expectColour(await pixelAt(result.variants.preview.buffer, 8, 8), [0, 200, 0]);
    });

    it('reads the original from a stream as well as from a buffer', async () => {
      // Arrange
      const image = await pngImage();
      const stream = Readable.from([image.subarray(0, 10), image.subarray(10)]);

      // Act
      const result = await processImage(stream, { declaredContentType: 'image/png' });

      // Assert
      expect(result).toMatchObject({ ok: true, format: 'png', width: 64, height: 48 });
    });
  });

  describe('rejections (returned, never thrown)', () => {
    it('refuses a 20000x20000 PNG bomb as too_many_pixels in under 2 s, without decoding it', async () => {
      // Arrange: 400 megapixels in a few kilobytes.
      const bomb = pngBomb();
      expect(bomb.length).toBeLessThan(100_000);
      expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({
        width: 20_000,
        height: 20_000,
      });

      // Act
      const started = performance.now();
      const result = await processImage(bomb, { declaredContentType: 'image/png' });
      const elapsed = performance.now() - started;

      // Assert
      expect(result).toEqual({
        ok: false,
        reason: 'too_many_pixels',
        detail: '20000x20000 is 400000000 pixels, more than 100000000',
      });
      expect(elapsed).toBeLessThan(2000);
    });

    it('applies the pixel limit it is given', async () => {
      const image = await pngImage(64, 48);
      const result = await processImage(image, {
        declaredContentType: 'image/png',
        limits: { maxBytes: 1_000_000, maxPixels: 64 * 48 - 1 },
      });
      expect(result).toMatchObject({ ok: false, reason: 'too_many_pixels' });
    });

    it('refuses a truncated JPEG as undecodable', async () => {
      // Arrange: its header is intact, so only decoding can tell.
      const truncated = await truncatedJpeg();
      expect(await sharp(truncated).metadata()).toMatchObject({ width: 400, height: 300 });

      // Act
      const result = await processImage(truncated, { declaredContentType: 'image/jpeg' });

      // Assert
      expect(result).toEqual({ ok: false, reason: 'undecodable', detail: expect.stringContaining('JPEG') });
    });

    it('refuses an image whose header is cut off as undecodable', async () => {
      const jpeg = await orientedJpegWithGps();
      const result = await processImage(jpeg.subarray(0, 100), { declaredContentType: 'image/jpeg' });
      expect(result).toMatchObject({ ok: false, reason: 'undecodable' });
    });

    it('refuses a text file named .jpg as unsupported_type', async () => {
      expect(await processImage(textFile(), { declaredContentType: 'image/jpeg' })).toMatchObject({
        ok: false,
        reason: 'unsupported_type',
      });
    });

    it('refuses a PNG declared as JPEG as type_mismatch', async () => {
      expect(await processImage(await pngImage(), { declaredContentType: 'image/jpeg' })).toMatchObject({
        ok: false,
        reason: 'type_mismatch',
      });
    });

    it('refuses a stream over the byte limit as too_large, without reading the rest', async () => {
      // Arrange: an endless stream; the test would hang if the processor read it all.
      async function* endless() {
        for (;;) yield Buffer.alloc(1024);
      }

      // Act
      const result = await processImage(endless(), {
        declaredContentType: 'image/png',
        limits: { maxBytes: 10_000, maxPixels: 1_000_000 },
      });

      // Assert
      expect(result).toMatchObject({ ok: false, reason: 'too_large' });
    });

    it('throws when the source itself fails (a retry may succeed), rather than rejecting the file', async () => {
      const failing = new Readable({
        read() {
          this.destroy(new Error('connection reset'));
        },
      });
      await expect(processImage(failing, { declaredContentType: 'image/png' })).rejects.toThrow(
        'connection reset',
      );
    });
  });
});
