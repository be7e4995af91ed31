/** What the first bytes of a file say it is, whatever its name or declared Content-Type. */
export type DetectedType = 'jpeg' | 'png' | 'webp' | 'heic' | 'heif' | 'avif' | 'tiff';

/** How many leading bytes sniffImageType needs at most (an ftyp box rarely lists more brands than this). */
export const SNIFF_BYTES = 64;

/**
 * The upload allowlist: each accepted Content-Type and the detected types that may carry it.
 * HEIC and HEIF are one family: both labels name the same ISO BMFF container, phones and browsers use them
 * interchangeably, and the brand (heic vs mif1) is the encoder's choice, not the user's. AVIF is HEIF with AV1
 * inside, so it is accepted under the same labels; registration does not offer `image/avif` of its own.
 */
export const ALLOWED_TYPES = {
  'image/jpeg': ['jpeg'],
  'image/png': ['png'],
  'image/webp': ['webp'],
  'image/heic': ['heic', 'heif', 'avif'],
  'image/heif': ['heif', 'heic', 'avif'],
  'image/tiff': ['tiff'],
} as const satisfies Record<string, readonly DetectedType[]>;

export type AllowedContentType = keyof typeof ALLOWED_TYPES;

/** The canonical Content-Type of each detected type, the other direction of ALLOWED_TYPES. */
export const CONTENT_TYPE_OF: Record<DetectedType, AllowedContentType> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  avif: 'image/heif',
  tiff: 'image/tiff',
};

export const isAllowedContentType = (contentType: string): contentType is AllowedContentType =>
  Object.hasOwn(ALLOWED_TYPES, contentType);

const startsWith = (head: Uint8Array, bytes: readonly number[], at = 0) =>
  head.length >= at + bytes.length && bytes.every((byte, i) => head[at + i] === byte);

const ascii = (head: Uint8Array, from: number, to: number) => String.fromCharCode(...head.subarray(from, to));

// HEVC-coded brands (still images and sequences) and the AV1 ones; mif1/msf1 alone say only "some HEIF".
const HEVC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);
const AV1_BRANDS = new Set(['avif', 'avis']);
const GENERIC_HEIF_BRANDS = new Set(['mif1', 'msf1']);

/** The brands of a leading ISO BMFF `ftyp` box: the major brand, then the compatible ones. */
function ftypBrands(head: Uint8Array): string[] | undefined {
  if (head.length < 16 || ascii(head, 4, 8) !== 'ftyp') return undefined;
  const boxSize = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0);
  if (boxSize < 16 || boxSize % 4 !== 0) return undefined;
  const end = Math.min(boxSize, head.length);
  // Skip the 4-byte minor version at 12..16.
  const brands = [ascii(head, 8, 12)];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(head, at, at + 4));
  return brands;
}

function heifFamily(brands: string[]): DetectedType | undefined {
  if (brands.some((brand) => HEVC_BRANDS.has(brand))) return 'heic';
  if (brands.some((brand) => AV1_BRANDS.has(brand))) return 'avif';
  if (brands.some((brand) => GENERIC_HEIF_BRANDS.has(brand))) return 'heif';
  // Another ISO BMFF file (mp4, mov, 3gp, ...): not an image.
  return undefined;
}

/** The image type from magic bytes (pass at least SNIFF_BYTES of the file's head), or undefined if none fits. */
export function sniffImageType(head: Uint8Array): DetectedType | undefined {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'webp';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  const brands = ftypBrands(head);
  return brands === undefined ? undefined : heifFamily(brands);
}

export type TypeCheck =
  | { ok: true; contentType: AllowedContentType; detected: DetectedType }
  | { ok: false; reason: 'unsupported_type' | 'type_mismatch'; detail: string };

/**
 * Whether the content matches what the client declared: `unsupported_type` when either side is not an allowed
 * image (a text file renamed .jpg), `type_mismatch` when it is an allowed image of another type (a PNG sent as
 * image/jpeg). HEIC, HEIF and AVIF content satisfy either HEIF-family label.
 */
export function checkDeclaredType(
  declaredContentType: string,
  detected: DetectedType | undefined,
): TypeCheck {
  const declared = declaredContentType.split(';')[0]!.trim().toLowerCase();
  if (detected === undefined) {
    return {
      ok: false,
      reason: 'unsupported_type',
      detail: 'the content is not a JPEG, PNG, WebP, HEIF or TIFF image',
    };
  }
  if (!isAllowedContentType(declared)) {
    return {
      ok: false,
      reason: 'unsupported_type',
      detail: `${declaredContentType} is not an accepted type`,
    };
  }
  const accepted: readonly DetectedType[] = ALLOWED_TYPES[declared];
  if (!accepted.includes(detected)) {
    return {
      ok: false,
      reason: 'type_mismatch',
      detail: `declared ${declared}, but the content is ${CONTENT_TYPE_OF[detected]}`,
    };
  }
  return { ok: true, contentType: declared, detected };
}
