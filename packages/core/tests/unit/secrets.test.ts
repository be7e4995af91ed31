import * as crypto from 'node:crypto';
import { hashSecret, verifySecret, verifySecretOrDummy } from '../../src/auth/secrets';

// Wraps the real scrypt so tests can count and compare the work each path does.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, scrypt: jest.fn(actual.scrypt) };
});
const scrypt = jest.mocked(crypto.scrypt);

describe('partner client secrets', () => {
  beforeEach(() => scrypt.mockClear());

  it('verifies a secret against its own hash', async () => {
    // Arrange
    const stored = await hashSecret('correct horse');
    // Act
    const verified = await verifySecret('correct horse', stored);
    // Assert
    expect(verified).toBe(true);
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
  });

  it('rejects a wrong secret', async () => {
    // Arrange
    const stored = await hashSecret('correct horse');
    // Act
    const verified = await verifySecret('correct horsf', stored);
    // Assert
    expect(verified).toBe(false);
  });

  it('salts every hash, so two hashes of one secret differ', async () => {
    // Act
    const [first, second] = await Promise.all([hashSecret('same'), hashSecret('same')]);
    // Assert
    expect(first).not.toBe(second);
  });

  it.each([
    ['a flipped hash byte', (s: string) => s.slice(0, -3) + (s.at(-3) === 'A' ? 'B' : 'A') + s.slice(-2)],
    [
      'another salt',
      (s: string) => s.replace(/\$[^$]+\$([^$]+)$/, `$${Buffer.alloc(16, 7).toString('base64')}$$$1`),
    ],
    ['a lower cost', (s: string) => s.replace('$32768$', '$16384$')],
    ['a cost that is no power of two', (s: string) => s.replace('$32768$', '$30000$')],
    ['an unbounded cost', (s: string) => s.replace('$32768$', `$${2 ** 30}$`)],
    ['a missing field', (s: string) => s.split('$').slice(0, 5).join('$')],
    ['another algorithm', (s: string) => s.replace('scrypt', 'bcrypt')],
    ['a hash that is not base64', (s: string) => s.slice(0, -4) + '!!!!'],
    ['an empty string', () => ''],
  ])('returns false, without throwing, for a stored string with %s', async (_label, tamper) => {
    // Arrange
    const stored = tamper(await hashSecret('correct horse'));
    // Act
    const verified = await verifySecret('correct horse', stored);
    // Assert
    expect(verified).toBe(false);
  });

  it('does one scrypt with the same parameters whether the client is unknown or the secret wrong', async () => {
    // Arrange
    const stored = await hashSecret('correct horse');
    scrypt.mockClear();
    // Act
    const unknown = await verifySecretOrDummy('correct horse', undefined);
    const unknownCall = scrypt.mock.calls.map((call) => [call[2], call[3]]);
    scrypt.mockClear();
    const wrong = await verifySecretOrDummy('wrong', stored);
    const wrongCall = scrypt.mock.calls.map((call) => [call[2], call[3]]);
    // Assert
    expect(unknown).toBe(false);
    expect(wrong).toBe(false);
    expect(unknownCall).toHaveLength(1);
    expect(unknownCall).toEqual(wrongCall);
  });

  it('accepts the right secret of a known client', async () => {
    // Arrange
    const stored = await hashSecret('correct horse');
    // Act
    const verified = await verifySecretOrDummy('correct horse', stored);
    // Assert
    expect(verified).toBe(true);
  });
});
