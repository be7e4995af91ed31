import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import {
  fileSigningKeys,
  generateSigningKey,
  rotateFileSigningKeys,
  ssmSigningKeys,
  type StoredSigningKey,
} from '../../src/auth';
import { tempDir } from '../helpers/factories';

const PUBLIC_MEMBERS = ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'];
const jsonFiles = async (dir: string) => (await readdir(dir)).filter((name) => name.endsWith('.json'));

describe('fileSigningKeys', () => {
  it('creates exactly one key when five first uses race', async () => {
    // Arrange
    const dir = path.join(await tempDir(), 'keys');
    const stores = Array.from({ length: 5 }, () => fileSigningKeys(dir));

    // Act
    const signing = await Promise.all(stores.map((store) => store.signingKey()));

    // Assert
    const files = await jsonFiles(dir);
    expect(files).toHaveLength(1);
    expect(new Set(signing.map(({ kid }) => kid))).toEqual(new Set([files[0]!.replace(/\.json$/, '')]));
    expect(await readdir(dir)).toEqual(files);
  });

  it('writes the private key readable by its owner only', async () => {
    // Arrange
    const dir = await tempDir();

    // Act
    await fileSigningKeys(dir).signingKey();

    // Assert
    const [file] = await jsonFiles(dir);
    expect((await stat(path.join(dir, file!))).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(path.join(dir, file!), 'utf8')) as StoredSigningKey;
    expect(stored).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', d: expect.any(String) });
    expect(file).toBe(`${await calculateJwkThumbprint(stored)}.json`);
  });

  it('publishes only the public members', async () => {
    // Arrange
    const dir = await tempDir();

    // Act
    const { keys } = await fileSigningKeys(dir).publicJwks();

    // Assert
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0]!).sort()).toEqual(PUBLIC_MEMBERS);
    expect(keys[0]).toMatchObject({ alg: 'ES256', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('loads the key another process created instead of making a new one', async () => {
    // Arrange
    const dir = await tempDir();
    const { kid } = await fileSigningKeys(dir).signingKey();

    // Act
    const again = await fileSigningKeys(dir).signingKey();

    // Assert
    expect(again.kid).toBe(kid);
    expect(await jsonFiles(dir)).toHaveLength(1);
  });

  it('after a rotation publishes both keys and signs with the new one', async () => {
    // Arrange
    const dir = await tempDir();
    const { kid: oldKid } = await fileSigningKeys(dir).signingKey();

    // Act
    const { kid: newKid } = await rotateFileSigningKeys(dir, new Date(Date.now() + 1000));

    // Assert
    const reloaded = fileSigningKeys(dir);
    expect((await reloaded.signingKey()).kid).toBe(newKid);
    expect((await reloaded.publicJwks()).keys.map((key) => key.kid)).toEqual([newKid, oldKid]);
  });

  it('names the file that holds a broken key, without its content', async () => {
    // Arrange
    const dir = await tempDir();
    await writeFile(path.join(dir, 'broken.json'), '{"kty":"EC","crv":"P-256","d":"secret-material"}');

    // Act
    const loading = fileSigningKeys(dir).signingKey();

    // Assert
    await expect(loading).rejects.toThrow('Signing key broken.json lacks x, y or d');
  });

  it('refuses a key whose stored kid is not its thumbprint', async () => {
    // Arrange
    const dir = await tempDir();
    const key = await generateSigningKey();
    await writeFile(path.join(dir, 'a.json'), JSON.stringify({ ...key, kid: 'chosen-by-hand' }));

    // Act
    const loading = fileSigningKeys(dir).publicJwks();

    // Assert
    await expect(loading).rejects.toThrow(/has kid chosen-by-hand/);
  });
});

describe('ssmSigningKeys', () => {
  const NAMES = ['/pixelvault/prod/signing-key-a', '/pixelvault/prod/signing-key-b'];

  it('fetches the parameters once and signs with the newest key, wherever it is listed', async () => {
    // Arrange
    const newer = await generateSigningKey(new Date('2026-02-01T00:00:00Z'));
    const older = await generateSigningKey(new Date('2026-01-01T00:00:00Z'));
    const fetchParameters = jest.fn(async () => [JSON.stringify(newer), JSON.stringify(older)]);
    const keys = ssmSigningKeys({ parameterNames: NAMES, fetchParameters });

    // Act
    const [signing, jwks] = await Promise.all([keys.signingKey(), keys.publicJwks(), keys.signingKey()]);

    // Assert
    expect(signing.kid).toBe(newer.kid);
    expect(jwks.keys.map((key) => key.kid)).toEqual([newer.kid, older.kid]);
    expect(jwks.keys.every((key) => Object.keys(key).sort().join() === PUBLIC_MEMBERS.join())).toBe(true);
    expect(fetchParameters).toHaveBeenCalledTimes(1);
    expect(fetchParameters).toHaveBeenCalledWith(NAMES);
  });

  it('retries after a failed fetch instead of caching the failure', async () => {
    // Arrange
    const key = await generateSigningKey();
    const fetchParameters = jest
      .fn<Promise<string[]>, [string[]]>()
      .mockRejectedValueOnce(new Error('throttled'))
      .mockResolvedValue([JSON.stringify(key)]);
    const keys = ssmSigningKeys({ parameterNames: NAMES.slice(0, 1), fetchParameters });
    await expect(keys.signingKey()).rejects.toThrow('throttled');

    // Act
    const signing = await keys.signingKey();

    // Assert
    expect(signing.kid).toBe(key.kid);
  });

  it('refuses a parameter that is not a key, naming the parameter', async () => {
    // Arrange
    const keys = ssmSigningKeys({
      parameterNames: NAMES.slice(0, 1),
      fetchParameters: async () => ['not json'],
    });

    // Act / Assert
    await expect(keys.publicJwks()).rejects.toThrow(`Signing key ${NAMES[0]} is not JSON`);
  });

  it('refuses an answer that lacks a parameter', async () => {
    // Arrange
    const key = await generateSigningKey();
    const keys = ssmSigningKeys({
      parameterNames: NAMES,
      fetchParameters: async () => [JSON.stringify(key)],
    });

    // Act / Assert
    await expect(keys.publicJwks()).rejects.toThrow('Expected 2 signing key parameters, got 1');
  });
});
