import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

// Real images, made with sharp at test time; the one binary fixture is a HEIC, which sharp cannot encode.

export type Rgb = [number, number, number];
export const RED: Rgb = [255, 0, 0];
export const BLUE: Rgb = [0, 0, 255];

/** Written into the GPS IFD of the EXIF fixture, so a test can look for it byte for byte in any output. */
export const GPS_SENTINEL = 'PIXELVAULT-GPS-SENTINEL';

const toColour = ([r, g, b]: Rgb) => ({ r, g, b });

/** Left half red, right half blue (width even): where each colour ends up shows which way the image turned. */
export const twoColour = (width: number, height: number) =>
  sharp({ create: { width: width / 2, height, channels: 3, background: toColour(RED) } }).extend({
    right: width / 2,
    background: toColour(BLUE),
  });

/**
 * A 400x200 JPEG (red left, blue right) whose EXIF says orientation 6 (turn 90° clockwise to display) and that
 * carries GPS tags. libvips takes the orientation from withMetadata, not from an IFD0 Orientation entry.
 */
export const orientedJpegWithGps = (width = 400, height = 200) =>
  twoColour(width, height)
    .jpeg({ quality: 95 })
    .withExif({
      IFD0: { Make: 'Pixelvault', Model: 'Fixture' },
      // IFD3 is the GPS IFD in libvips' numbering.
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '52/1 31/1 12/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '13/1 24/1 36/1',
        GPSMapDatum: GPS_SENTINEL,
      },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();

/** A photo-like JPEG: gradients plus noise, so it is neither trivially compressible nor pure noise. */
export const noisyJpeg = (width: number, height: number) => {
  const noise = randomBytes(width * height * 3);
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < data.length; i++) {
    const pixel = Math.floor(i / 3);
    const gradient = ((pixel % width) * 160) / width + ((Math.floor(pixel / width) * 60) / height) * (i % 3);
    data[i] = Math.min(255, gradient + (noise[i]! % 48));
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
};

/** A JPEG cut after 60 % of its bytes: the header parses, the scan data ends early. */
export const truncatedJpeg = async () => {
  const whole = await noisyJpeg(400, 300);
  return whole.subarray(0, Math.floor(whole.length * 0.6));
};

const solid = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 40, g: 120, b: 200 } } });

export const pngImage = (width = 64, height = 48) => solid(width, height).png().toBuffer();
export const webpImage = (width = 64, height = 48) => solid(width, height).webp().toBuffer();
export const tiffImage = (width = 64, height = 48) => solid(width, height).tiff().toBuffer();
export const jpegImage = (width = 64, height = 48) => solid(width, height).jpeg().toBuffer();
/** HEIF with AV1 inside (AVIF): the only HEIF flavour sharp's prebuilt libvips can encode or decode. */
export const avifImage = (width = 64, height = 48) =>
  solid(width, height).heif({ compression: 'av1', effort: 0 }).toBuffer();

/** A PNG whose pixels are semi-transparent: variants must keep the alpha channel. */
export const translucentPng = () =>
  sharp({ create: { width: 32, height: 32, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } } })
    .png()
    .toBuffer();

/**
 * A real HEVC-coded HEIC, 96x64, red left and blue right, as phones write them (514 bytes). Made once with
 * libheif's encoder (Debian libheif-examples 1.15.1, x265): `heif-enc -q 90 -o two-colour.heic two-colour.png`
 * from `twoColour(96, 64)`.
 */
export const heicImage = () => readFileSync(path.join(__dirname, '../fixtures/two-colour.heic'));

/**
 * Just the leading ISO BMFF `ftyp` box of a HEIF file with these brands, then filler. sharp's prebuilt libvips
 * cannot encode (or decode) HEVC, so real HEIC bytes cannot be made here; sniffing needs only this box.
 */
export const ftypHead = (majorBrand: string, compatibleBrands: string[]) => {
  const size = 16 + 4 * compatibleBrands.length;
  const box = Buffer.alloc(size);
  box.writeUInt32BE(size, 0);
  box.write('ftyp', 4, 'latin1');
  box.write(majorBrand, 8, 'latin1');
  compatibleBrands.forEach((brand, i) => box.write(brand, 16 + 4 * i, 'latin1'));
  return Buffer.concat([box, Buffer.alloc(32)]);
};

const pngChunk = (type: string, data: Buffer) => {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const frame = Buffer.alloc(8 + data.length + 4);
  frame.writeUInt32BE(data.length, 0);
  typed.copy(frame, 4);
  frame.writeUInt32BE(crc32(typed), 8 + data.length);
  return frame;
};

/**
 * A valid 1-bit black PNG of side x side pixels (20000² = 400 MP) that is tiny on disk: a decompression bomb.
 * Written by hand, because encoding it with sharp takes seconds (it would process all 400 MP).
 */
export const pngBomb = (side = 20_000) => {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter, no interlace
  // Each row: filter byte 0 and side/8 zero bytes.
  const rows = Buffer.alloc((1 + Math.ceil(side / 8)) * side);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(rows, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
};

export const textFile = () => Buffer.from('name,size\nholiday.jpg,1234\n', 'utf8');

/** The colour at (x, y) of any image sharp can read. */
export async function pixelAt(image: Buffer, x: number, y: number): Promise<Rgb> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [data[at]!, data[at + 1]!, data[at + 2]!];
}

/** Lossy encoders move colours a little: each channel within 24 of the expected one. */
export const expectColour = (actual: number[], expected: number[]) =>
  actual.forEach((channel, i) => expect(Math.abs(channel - expected[i]!)).toBeLessThanOrEqual(24));
