import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { repoRoot } from '../results-file';

/** 12 MP, 4:3: what most phones take. */
export const PHOTO_WIDTH = 4000;
export const PHOTO_HEIGHT = 3000;

export interface Photo {
  name: string;
  bytes: Buffer;
  sha256: string;
}

const CACHE_DIR = path.join(repoRoot, 'bench', '.cache', 'photos');
// Noise fields a little larger than a photo: each photo takes its window at another offset.
const MARGIN = 400;

const raw = (width: number, height: number) => ({ raw: { width, height, channels: 3 as const } });

/**
 * Detail at three scales, so the JPEG weighs what a phone photo does (~4-5 MB at quality 90) and decodes like
 * one: random colours upscaled to soft shapes, a finer random field blended over them (soft light) and sensor
 * noise (overlay). A flat or synthetic pattern would compress to a fraction and flatter every figure.
 */
async function noiseBanks() {
  const width = PHOTO_WIDTH + MARGIN;
  const height = PHOTO_HEIGHT + MARGIN;
  const sensor = await sharp({
    create: {
      width,
      height,
      channels: 3,
      background: 'black',
      noise: { type: 'gaussian', mean: 128, sigma: 20 },
    },
  })
    .raw()
    .toBuffer();
  const texture = await sharp(randomBytes((width / 10) * (height / 10) * 3), raw(width / 10, height / 10))
    .resize(width, height, { kernel: 'cubic' })
    .raw()
    .toBuffer();
  return { width, height, sensor, texture };
}

type Banks = Awaited<ReturnType<typeof noiseBanks>>;

async function window(banks: Banks, bank: Buffer) {
  const left = Math.floor(Math.random() * MARGIN);
  const top = Math.floor(Math.random() * MARGIN);
  const input = await sharp(bank, raw(banks.width, banks.height))
    .extract({ left, top, width: PHOTO_WIDTH, height: PHOTO_HEIGHT })
    .raw()
    .toBuffer();
  return { input, ...raw(PHOTO_WIDTH, PHOTO_HEIGHT) };
}

async function newPhoto(banks: Banks): Promise<Buffer> {
  return sharp(randomBytes(40 * 30 * 3), raw(40, 30))
    .resize(PHOTO_WIDTH, PHOTO_HEIGHT, { kernel: 'cubic' })
    .composite([
      { ...(await window(banks, banks.texture)), blend: 'soft-light' },
      { ...(await window(banks, banks.sensor)), blend: 'overlay' },
    ])
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: 'Pixelvault', Model: 'Bench camera' } })
    .toBuffer();
}

/**
 * `count` distinct 12 MP JPEGs, generated once (1-2 s each) and kept in bench/.cache/photos
 * (gitignored); a larger count later only adds the missing ones.
 */
export async function benchPhotos(count: number, log: (line: string) => void): Promise<Photo[]> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const files = Array.from({ length: count }, (_, index) =>
    path.join(CACHE_DIR, `photo-${String(index + 1).padStart(4, '0')}.jpg`),
  );
  const missing = files.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    log(`generating ${missing.length} photos into ${path.relative(repoRoot, CACHE_DIR)}…`);
    const banks = await noiseBanks();
    for (const file of missing) {
      // Written aside and renamed, so an interrupted run never leaves a truncated photo in the cache.
      writeFileSync(`${file}.partial`, await newPhoto(banks));
      renameSync(`${file}.partial`, file);
    }
  }
  return files.map((file) => {
    const bytes = readFileSync(file);
    return {
      name: path.basename(file),
      bytes,
      sha256: createHash('sha256').update(bytes).digest('base64'),
    };
  });
}
