import { decodeJwt, decodeProtectedHeader } from 'jose';
import { hasScope, issueToken, scopesOf } from '../../src/auth';
import { aTokenInput, memorySigningKeys, NOW } from '../helpers/factories';

describe('issueToken', () => {
  it('signs ES256 with the kid and sets nbf = iat = now', async () => {
    // Arrange
    const { keys, stored } = await memorySigningKeys(2);

    // Act
    const { token, claims } = await issueToken(keys, aTokenInput({ ttlSeconds: 21_600 }), NOW);

    // Assert
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: stored[1]!.kid, typ: 'JWT' });
    const iat = NOW.getTime() / 1000;
    expect(decodeJwt(token)).toEqual({ ...claims });
    expect(claims).toMatchObject({ iat, nbf: iat, exp: iat + 21_600, kind: 'guest', tid: 'demo' });
  });

  it('gives every token its own jti', async () => {
    // Arrange
    const { keys } = await memorySigningKeys();

    // Act
    const issued = await Promise.all([1, 2, 3].map(() => issueToken(keys, aTokenInput(), NOW)));

    // Assert
    expect(new Set(issued.map(({ claims }) => claims.jti)).size).toBe(3);
  });

  it.each([
    ['a partner token for a session', { kind: 'partner' as const }],
    ['a guest token for a client', { sub: 'client#c-1' as const }],
    ['an upload link without an owner', { kind: 'upload' as const }],
    ['an empty tenant', { tid: '' }],
    ['a zero lifetime', { ttlSeconds: 0 }],
    ['a fractional lifetime', { ttlSeconds: 1.5 }],
  ])('refuses to issue %s', async (_what, overrides) => {
    // Arrange
    const { keys } = await memorySigningKeys();

    // Act / Assert
    await expect(issueToken(keys, aTokenInput(overrides), NOW)).rejects.toThrow(/Cannot issue|ttlSeconds/);
  });
});

describe('scopes', () => {
  it('splits on spaces and ignores empty entries', () => {
    // Arrange
    const claims = { scope: ' sessions:write  orders:read ' };

    // Act
    const scopes = scopesOf(claims);

    // Assert
    expect(scopes).toEqual(new Set(['sessions:write', 'orders:read']));
    expect(hasScope(claims, 'orders:read')).toBe(true);
    expect(hasScope(claims, 'orders')).toBe(false);
    expect(hasScope({ scope: '' }, '')).toBe(false);
  });
});
