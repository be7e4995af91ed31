import sharp, { type Metadata, type OutputInfo, type ResizeOptions, type Sharp } from 'sharp';
import { DEFAULT_LIMITS, type ImageLimits } from './limits';
import { checkDeclaredType, sniffImageType, SNIFF_BYTES, type DetectedType } from './sniff';

/** The original: a buffer, or any byte stream (a Node Readable, an S3 GetObject Body). */
export type ImageSource = Uint8Array | AsyncIterable<Uint8Array>;

/** Long side of each variant's bounding box; a smaller original is never upscaled. */
export const VARIANT_BOXES = { thumbnail: 256, preview: 1600 } as const;
export type VariantName = keyof typeof VARIANT_BOXES;

// WebP rather than JPEG: keeps the alpha of PNG/WebP/HEIF originals (JPEG would turn it black), ~30 % smaller at
// the same quality, and every browser the editor supports shows it.
const VARIANT_CONTENT_TYPE = 'image/webp';
const VARIANT_QUALITY = 80;

export interface ImageVariant {
  buffer: Buffer;
  width: number;
  height: number;
  contentType: typeof VARIANT_CONTENT_TYPE;
}

export interface ProcessedImage {
  ok: true;
  detectedType: DetectedType;
  /** sharp's decoder: jpeg, png, webp, heif (HEIC and AVIF too) or tiff. */
  format: string;
  /** As displayed, after EXIF orientation. */
  width: number;
  height: number;
  variants: Record<VariantName, ImageVariant>;
}

export type RejectionReason =
  'too_large' | 'unsupported_type' | 'type_mismatch' | 'too_many_pixels' | 'undecodable';

/** A file that will never process, whoever retries: the file is `rejected`, its batch-mates carry on. */
export interface ImageRejection {
  ok: false;
  reason: RejectionReason;
  detail: string;
}

export type ProcessResult = ProcessedImage | ImageRejection;

export interface ProcessOptions {
  declaredContentType: string;
  limits?: ImageLimits;
}

const reject = (reason: RejectionReason, detail: string): ImageRejection => ({ ok: false, reason, detail });

// sharp prefixes libvips' multi-line log; its first line names the fault.
const firstLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/** The whole original, or undefined as soon as it exceeds maxBytes (a stream is then not read further). */
async function readAll(source: ImageSource, maxBytes: number): Promise<Buffer | undefined> {
  if (source instanceof Uint8Array) {
    return source.byteLength > maxBytes
      ? undefined
      : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of source) {
    total += chunk.byteLength;
    // Leaving the loop destroys a Readable, so an oversized body is never downloaded in full.
    if (total > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

async function encodeVariant(image: Sharp): Promise<ImageVariant> {
  const { data, info } = await image.webp({ quality: VARIANT_QUALITY }).toBuffer({ resolveWithObject: true });
  return { buffer: data, width: info.width, height: info.height, contentType: VARIANT_CONTENT_TYPE };
}

const fitInside = (box: number): ResizeOptions => ({
  width: box,
  height: box,
  fit: 'inside',
  withoutEnlargement: true,
});

/**
 * The original's pixels as displayed. Prebuilt libvips cannot decode HEVC (patents; lovell/sharp#4050), which is
 * what phones write into HEIC: libheif, built to WebAssembly, decodes those and applies the HEIF rotation and
 * mirroring itself (HEIF ignores EXIF orientation). Loaded on first use: most uploads are JPEGs.
 */
async function orientedPixels(bytes: Buffer, metadata: Metadata, limits: ImageLimits): Promise<Sharp> {
  if (metadata.format === 'heif' && metadata.compression === 'hevc') {
    const { default: decodeHeic } = await import('heic-decode');
    const { width, height, data } = await decodeHeic({ buffer: bytes });
    const rgba = sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
      raw: { width, height, channels: 4 },
    });
    return metadata.hasAlpha ? rgba : rgba.removeAlpha();
  }
  return sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error' }).autoOrient();
}

/**
 * Checks an uploaded original and renders its variants. Problems of the file itself come back as a rejection;
 * only a failing source stream (worth a retry) or a bug throws.
 */
export async function processImage(source: ImageSource, options: ProcessOptions): Promise<ProcessResult> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const bytes = await readAll(source, limits.maxBytes);
  if (bytes === undefined) return reject('too_large', `the file has more than ${limits.maxBytes} bytes`);

  const type = checkDeclaredType(options.declaredContentType, sniffImageType(bytes.subarray(0, SNIFF_BYTES)));
  if (!type.ok) return type;

  // metadata() parses the header only, never pixel data: a decompression bomb is measured, not decoded.
  // Comparing here (rather than letting limitInputPixels throw, as it would even in metadata()) gives a precise
  // reason without matching sharp's error messages; the limit on the decoder below is the backstop.
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    return reject('undecodable', firstLine(error));
  }
  const pixels = metadata.width * metadata.height;
  if (pixels > limits.maxPixels) {
    return reject(
      'too_many_pixels',
      `${metadata.width}x${metadata.height} is ${pixels} pixels, more than ${limits.maxPixels}`,
    );
  }

  // Decode once, to the preview size, in sRGB (embedded ICC profiles applied, CMYK and 16-bit converted);
  // both variants are encoded from that, so formats without shrink-on-load (PNG, WebP, HEIF, TIFF) are not
  // decoded twice. failOn 'error' refuses truncated or corrupt pixel data but lets through the harmless
  // warnings some cameras' JPEGs raise. Raw pixels carry no metadata: EXIF (GPS), XMP, IPTC are gone.
  let preview: { data: Buffer; info: OutputInfo };
  try {
    preview = await (
      await orientedPixels(bytes, metadata, limits)
    )
      .resize(fitInside(VARIANT_BOXES.preview))
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    return reject('undecodable', firstLine(error));
  }

  const raw = { width: preview.info.width, height: preview.info.height, channels: preview.info.channels };
  const [previewVariant, thumbnailVariant] = await Promise.all([
    encodeVariant(sharp(preview.data, { raw })),
    encodeVariant(sharp(preview.data, { raw }).resize(fitInside(VARIANT_BOXES.thumbnail))),
  ]);
  return {
    ok: true,
    detectedType: type.detected,
    format: metadata.format,
    width: metadata.autoOrient.width,
    height: metadata.autoOrient.height,
    variants: { thumbnail: thumbnailVariant, preview: previewVariant },
  };
}
