import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Partner client secrets, stored as `scrypt$N$r$p$<salt b64>$<hash b64>` so the cost can rise later without
 * breaking stored hashes. N=2^15, r=8 needs 32 MiB (128*N*r), exactly Node's default maxmem, hence maxmem.
 */
const COST = 2 ** 15;
const BLOCK_SIZE = 8;
const PARALLELIZATION = 1;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const MAXMEM = 64 * 1024 * 1024;

interface Parsed {
  options: ScryptOptions;
  salt: Buffer;
  hash: Buffer;
}

function derive(secret: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

function encode(options: Required<Pick<ScryptOptions, 'N' | 'r' | 'p'>>, salt: Buffer, hash: Buffer) {
  return ['scrypt', options.N, options.r, options.p, salt.toString('base64'), hash.toString('base64')].join(
    '$',
  );
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const isInt = (value: number, min: number, max: number) =>
  Number.isInteger(value) && value >= min && value <= max;

/** Bounds keep a corrupted stored string from asking for unbounded memory or time. */
function parse(stored: string): Parsed | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const [salt, hash] = parts.slice(4) as [string, string];
  if (!isInt(N, 2, 2 ** 20) || (N & (N - 1)) !== 0 || !isInt(r, 1, 32) || !isInt(p, 1, 16)) return undefined;
  if (!BASE64.test(salt) || !BASE64.test(hash)) return undefined;
  const parsed = {
    options: { N, r, p, maxmem: MAXMEM },
    salt: Buffer.from(salt, 'base64'),
    hash: Buffer.from(hash, 'base64'),
  };
  if (parsed.salt.length < 8 || parsed.hash.length < 16 || parsed.hash.length > 64) return undefined;
  return parsed;
}

// Well-formed with the current parameters, matching no secret: unknown clients cost one full scrypt too.
const DUMMY = encode(
  { N: COST, r: BLOCK_SIZE, p: PARALLELIZATION },
  Buffer.alloc(SALT_BYTES),
  Buffer.alloc(HASH_BYTES),
);

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const options = { N: COST, r: BLOCK_SIZE, p: PARALLELIZATION };
  return encode(options, salt, await derive(secret, salt, HASH_BYTES, { ...options, maxmem: MAXMEM }));
}

/** False for a wrong secret and for a malformed stored string; never throws for either. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  try {
    const candidate = await derive(secret, parsed.salt, parsed.hash.length, parsed.options);
    return timingSafeEqual(candidate, parsed.hash);
  } catch {
    return false;
  }
}

/**
 * verifySecret that costs the same when the client is unknown (stored undefined), so response times do not tell
 * an unknown client_id from a wrong secret.
 */
export async function verifySecretOrDummy(secret: string, stored: string | undefined): Promise<boolean> {
  const matches = await verifySecret(secret, stored ?? DUMMY);
  return stored !== undefined && matches;
}
