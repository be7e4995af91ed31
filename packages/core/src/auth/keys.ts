import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
  type KeyObject,
} from 'jose';

/** Where tokens get their signature and verifiers their public keys. */
export interface SigningKeys {
  /** The newest key: the one that signs. */
  signingKey(): Promise<{ kid: string; key: CryptoKey | KeyObject }>;
  /** Every key, public members only: what `/.well-known/jwks.json` serves. */
  publicJwks(): Promise<{ keys: JWK[] }>;
}

/** A private ES256 key as stored in a file or an SSM parameter; `createdAt` (ISO 8601) decides which one signs. */
export interface StoredSigningKey {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
  createdAt: string;
}

/** A fresh key pair in its stored form; also what an operator puts into a new SSM parameter. */
export async function generateSigningKey(createdAt = new Date()): Promise<StoredSigningKey> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const { x, y, d } = await exportJWK(privateKey);
  if (!x || !y || !d) throw new Error('Exported ES256 key lacks x, y or d');
  const kid = await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x, y });
  return {
    kty: 'EC',
    crv: 'P-256',
    x,
    y,
    d,
    kid,
    alg: 'ES256',
    use: 'sig',
    createdAt: createdAt.toISOString(),
  };
}

/** Parses a stored key; `source` names the file or parameter in errors (never the key material). */
async function parseStoredKey(text: string, source: string): Promise<StoredSigningKey> {
  let value: Partial<Record<keyof StoredSigningKey, unknown>>;
  try {
    value = JSON.parse(text) as typeof value;
  } catch {
    throw new Error(`Signing key ${source} is not JSON`);
  }
  const { kty, crv, x, y, d, createdAt } = value ?? {};
  if (kty !== 'EC' || crv !== 'P-256') throw new Error(`Signing key ${source} is not an EC P-256 JWK`);
  if (typeof x !== 'string' || typeof y !== 'string' || typeof d !== 'string')
    throw new Error(`Signing key ${source} lacks x, y or d`);
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)))
    throw new Error(`Signing key ${source} lacks a valid createdAt`);
  // The kid is derived, never trusted: a stored kid that doesn't match its key would break verification later.
  const kid = await calculateJwkThumbprint({ kty, crv, x, y });
  if (value.kid !== undefined && value.kid !== kid)
    throw new Error(`Signing key ${source} has kid ${String(value.kid)}, its thumbprint is ${kid}`);
  return { kty, crv, x, y, d, kid, alg: 'ES256', use: 'sig', createdAt };
}

const publicJwk = ({ kty, crv, x, y, kid }: StoredSigningKey): JWK =>
  Object.freeze({ kty, crv, x, y, kid, alg: 'ES256', use: 'sig' });

interface KeyRing {
  signing: { kid: string; key: CryptoKey };
  jwks: { keys: JWK[] };
}

async function keyRing(stored: StoredSigningKey[]): Promise<KeyRing> {
  const byKid = new Map(stored.map((key) => [key.kid, key]));
  const keys = [...byKid.values()].sort(
    (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || a.kid.localeCompare(b.kid),
  );
  const newest = keys[0];
  if (!newest) throw new Error('No signing keys');
  const { kty, crv, x, y, d } = newest;
  const key = await importJWK({ kty, crv, x, y, d }, 'ES256', { extractable: false });
  // Always the same object, so verifiers can cache what they build from it by identity; frozen because it is
  // shared (types say mutable only to match jose's JSONWebKeySet).
  const jwks = Object.freeze({ keys: Object.freeze(keys.map(publicJwk)) as JWK[] });
  return { signing: { kid: newest.kid, key }, jwks };
}

/** Loads once per instance (per Lambda container); a failed load is retried on the next call. */
function cachedSigningKeys(load: () => Promise<StoredSigningKey[]>): SigningKeys {
  let ring: Promise<KeyRing> | undefined;
  const current = () =>
    (ring ??= load()
      .then(keyRing)
      .catch((error: unknown) => {
        ring = undefined;
        throw error;
      }));
  return {
    signingKey: async () => (await current()).signing,
    publicJwks: async () => (await current()).jwks,
  };
}

const isErrno = (error: unknown, code: string) => (error as NodeJS.ErrnoException | null)?.code === code;

async function readKeyFiles(dir: string): Promise<StoredSigningKey[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return [];
    throw error;
  }
  const files = names.filter((name) => name.endsWith('.json') && !name.startsWith('.'));
  return Promise.all(
    files.map(async (name) => parseStoredKey(await readFile(path.join(dir, name), 'utf8'), name)),
  );
}

/** Writes `<kid>.json` (0600) through a temporary file, so no reader ever sees half a key. */
async function writeKeyFile(dir: string, key: StoredSigningKey): Promise<void> {
  const temp = path.join(dir, `.${key.kid}.${randomUUID()}.tmp`);
  await writeFile(temp, `${JSON.stringify(key, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  await rename(temp, path.join(dir, `${key.kid}.json`));
}

const LOCK_STALE_MS = 10_000;
const LOCK_POLL_MS = 20;

/**
 * Creates the first key unless another process does: an exclusive (`wx`) lock file elects one creator, the
 * others wait for its key and read it. A lock left by a crashed process is taken over once stale.
 */
async function createFirstKey(dir: string): Promise<StoredSigningKey[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const lockFile = path.join(dir, '.create.lock');
  for (;;) {
    let locked = false;
    try {
      await (await open(lockFile, 'wx', 0o600)).close();
      locked = true;
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
    if (locked) {
      try {
        const existing = await readKeyFiles(dir);
        if (existing.length > 0) return existing;
        await writeKeyFile(dir, await generateSigningKey());
        return await readKeyFiles(dir);
      } finally {
        await unlink(lockFile);
      }
    }
    const existing = await readKeyFiles(dir);
    if (existing.length > 0) return existing;
    const lockAge = await stat(lockFile).then(
      (stats) => Date.now() - stats.mtimeMs,
      () => 0,
    );
    if (lockAge > LOCK_STALE_MS) await unlink(lockFile).catch(() => undefined);
    await sleep(LOCK_POLL_MS);
  }
}

/**
 * Keys as private JWK files `<kid>.json` in `dir` (local development: `.local/keys`). The first use creates
 * one key; every key there is published, the newest signs.
 */
export function fileSigningKeys(dir: string): SigningKeys {
  return cachedSigningKeys(async () => {
    const existing = await readKeyFiles(dir);
    return existing.length > 0 ? existing : createFirstKey(dir);
  });
}

/**
 * Adds a new key to `dir`; processes pick it up when they next load (restart). It signs from then on while the
 * old one stays published for tokens already issued; delete the old file once those have expired.
 */
export async function rotateFileSigningKeys(dir: string, now = new Date()): Promise<{ kid: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const key = await generateSigningKey(now);
  await writeKeyFile(dir, key);
  return { kid: key.kid };
}

export interface SsmSigningKeysOptions {
  /** SecureString parameters, each a private JWK JSON with `createdAt` (see generateSigningKey). */
  parameterNames: string[];
  /**
   * The decrypted values in the order of `names` (SSM GetParameters WithDecryption). Injected so core does not
   * bundle the SSM client into every function that only verifies.
   */
  fetchParameters: (names: string[]) => Promise<string[]>;
}

/** Keys from SSM, fetched once per Lambda container; rotation = add a parameter holding a newer key. */
export function ssmSigningKeys({ parameterNames, fetchParameters }: SsmSigningKeysOptions): SigningKeys {
  if (parameterNames.length === 0) throw new Error('ssmSigningKeys needs at least one parameter name');
  const names = [...parameterNames];
  return cachedSigningKeys(async () => {
    const values = await fetchParameters(names);
    if (values.length !== names.length)
      throw new Error(`Expected ${names.length} signing key parameters, got ${values.length}`);
    return Promise.all(values.map((value, index) => parseStoredKey(value, names[index]!)));
  });
}
