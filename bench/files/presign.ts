import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { build } from 'esbuild';
import { serviceEsbuildSettings } from '../esbuild-settings';
import { repoRoot } from '../results-file';

type Storage = typeof import('../../services/file-service/src/adapters/storage');
type Registration = typeof import('../../services/file-service/src/domain/registration');
type PresignUpload = Storage['presignUpload'];

const PRESIGNS = 20_000;
const ROUNDS = 10;
const REGION = 'eu-central-1';
const BUCKET = 'pixelvault-bench-files-123456789012-eu-central-1';
const CREDENTIALS = {
  accessKeyId: 'AKIABENCHBENCHBENCH0',
  secretAccessKey: 'bench/secret/key/bench/secret/key/12345',
};

const objects = Array.from({ length: 64 }, (_, index) => ({
  key: `t/bench/o/session#s${index}/f/01JBENCH${String(index).padStart(18, '0')}/original`,
  contentType: 'image/jpeg',
  size: 4_500_000 + index,
  sha256: createHash('sha256').update(`photo ${index}`).digest('base64'),
}));

/**
 * presignUpload and its URL lifetime as the register function's bundle carries them (the services' esbuild
 * settings, the SDK version the service pins). Importing the sources would also load core's HTTP stack, whose
 * Middy packages ship ESM entries only.
 */
async function bundledPresign(): Promise<{ presignUpload: PresignUpload; ttlSeconds: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pixelvault-presign-'));
  try {
    const outfile = path.join(dir, 'presign.js');
    await build({
      ...serviceEsbuildSettings(),
      stdin: {
        contents: `export { presignUpload } from './services/file-service/src/adapters/storage';
          export { UPLOAD_URL_TTL_SECONDS } from './services/file-service/src/domain/registration';`,
        resolveDir: repoRoot,
        loader: 'ts',
      },
      outfile,
      logLevel: 'silent',
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle built at run time
    const bundle = require(outfile) as Pick<Storage, 'presignUpload'> &
      Pick<Registration, 'UPLOAD_URL_TTL_SECONDS'>;
    return { presignUpload: bundle.presignUpload, ttlSeconds: bundle.UPLOAD_URL_TTL_SECONDS };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The same signature without the SDK: @smithy/signature-v4's presign of the same PUT (same signed and unhoisted
 * headers, same expiry), as getSignedUrl ends up calling it, minus the command's middleware stack and URL building.
 */
function rawSigner(ttlSeconds: number) {
  const signer = new SignatureV4({
    credentials: CREDENTIALS,
    region: REGION,
    service: 's3',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
  });
  return async (object: (typeof objects)[number], signingDate = new Date()) =>
    signer.presign(
      {
        method: 'PUT',
        protocol: 'https:',
        hostname: `${BUCKET}.s3.${REGION}.amazonaws.com`,
        // The SDK's serializer escapes each key segment (`#` -> %23) before signing.
        path: `/${object.key.split('/').map(encodeURIComponent).join('/')}`,
        query: { 'x-id': 'PutObject' },
        headers: {
          host: `${BUCKET}.s3.${REGION}.amazonaws.com`,
          'content-type': object.contentType,
          'content-length': String(object.size),
          'x-amz-checksum-sha256': object.sha256,
          // S3's presigner signs no payload; presigning hoists this header into the query, spelt as here.
          'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD',
        },
      },
      {
        expiresIn: ttlSeconds,
        signingDate,
        signableHeaders: new Set(['content-type', 'content-length']),
        unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
      },
    );
}

/** The baseline must sign exactly what the service signs, or the ratio compares different work. */
async function assertSameSignature(
  presignUpload: PresignUpload,
  raw: ReturnType<typeof rawSigner>,
  ttlSeconds: number,
) {
  const signingDate = new Date();
  const object = objects[0]!;
  const ours = new URL((await presignUpload(object, ttlSeconds, signingDate)).url);
  const theirs = (await raw(object, signingDate)).query;
  const signature = ours.searchParams.get('X-Amz-Signature');
  if (!signature || signature !== theirs?.['X-Amz-Signature'])
    throw new Error(`raw SigV4 signs differently: ${ours.href} vs ${JSON.stringify(theirs)}`);
}

/**
 * Presigned upload URLs per second on one core (one thread, one after another): the file service's own
 * presignUpload, configured as in a deployed Lambda (no endpoint override: virtual-hosted bucket URLs), against
 * raw SigV4 presigning in alternating rounds, so machine noise hits both alike.
 */
export async function presignThroughput() {
  Object.assign(process.env, {
    BUCKET_NAME: BUCKET,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  });
  if (process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL)
    throw new Error('unset AWS_ENDPOINT_URL(_S3): presigning is measured as a deployed Lambda does it');
  const { presignUpload, ttlSeconds } = await bundledPresign();
  const raw = rawSigner(ttlSeconds);
  await assertSameSignature(presignUpload, raw, ttlSeconds);
  const sides = {
    service: (object: (typeof objects)[number]) => presignUpload(object, ttlSeconds),
    raw,
  };
  const run = async (side: keyof typeof sides, count: number) => {
    const presign = sides[side];
    const began = performance.now();
    for (let index = 0; index < count; index++) await presign(objects[index % objects.length]!);
    return performance.now() - began;
  };
  await run('service', 1000);
  await run('raw', 1000);
  const elapsed = { service: 0, raw: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const order: Array<keyof typeof sides> = round % 2 ? ['raw', 'service'] : ['service', 'raw'];
    for (const side of order) elapsed[side] += await run(side, PRESIGNS / ROUNDS);
  }
  const perSecond = (ms: number) => Math.round((PRESIGNS / ms) * 1000);
  return {
    presigns: PRESIGNS,
    rounds: ROUNDS,
    servicePerSecond: perSecond(elapsed.service),
    rawSigV4PerSecond: perSecond(elapsed.raw),
    ratio: +(elapsed.raw / elapsed.service).toFixed(3),
  };
}
