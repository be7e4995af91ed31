import { decodeJwt, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import {
  attackerKey,
  callApi,
  createTestTenant,
  guestSession,
  isRevoked,
  publishedJwks,
  signWith,
  tokenIssuer,
} from '../../../../tests/helpers/identity';

/**
 * Every protected route runs the API Gateway TOKEN authorizer (core's verifier, public keys only). These tests
 * attack it from outside, as anyone could: with keys of our own, never the system's private key.
 *
 * What they cannot do is sign a token with the REAL key and get exactly one claim wrong (expired, not yet valid,
 * wrong audience, wrong issuer) with a valid signature: only the system holds that key. The tokens below that get
 * a claim wrong are signed with our own key under the real published kid, so they prove the signature check (and
 * would catch a verifier that skipped it); the real guest token each test starts from is the positive case, and
 * core's verifier unit tests (packages/core) cover each claim check with a validly signed token.
 */

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const FIVE_MINUTES = 300;

interface Attack {
  /** The Authorization header to send, or undefined for none. */
  authorization: (context: {
    claims: JWTPayload;
    kid: string;
    jwk: Record<string, unknown>;
  }) => Promise<string | undefined>;
}

const now = () => Math.floor(Date.now() / 1000);
const withBearer = async (token: Promise<string>) => `Bearer ${await token}`;
const ownKey = async () => (await attackerKey()).privateKey;

const ATTACKS: Record<string, Attack> = {
  'a forged signature (our key, the real kid, valid claims)': {
    authorization: async ({ claims, kid }) => withBearer(signWith(await ownKey(), kid, claims)),
  },
  'alg none (jose UnsecuredJWT)': {
    authorization: async ({ claims }) => `Bearer ${new UnsecuredJWT(claims).encode()}`,
  },
  'alg none naming the real kid': {
    authorization: async ({ claims, kid }) =>
      `Bearer ${b64url({ alg: 'none', kid, typ: 'JWT' })}.${b64url(claims)}.`,
  },
  'HS256 keyed with the published public JWK': {
    authorization: async ({ claims, kid, jwk }) =>
      withBearer(
        new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' })
          .sign(new TextEncoder().encode(JSON.stringify(jwk))),
      ),
  },
  'an expired token': {
    authorization: async ({ claims, kid }) =>
      withBearer(
        signWith(await ownKey(), kid, {
          ...claims,
          iat: now() - 7200,
          nbf: now() - 7200,
          exp: now() - 3600,
        }),
      ),
  },
  'a token not yet valid (nbf in 5 min)': {
    authorization: async ({ claims, kid }) =>
      withBearer(signWith(await ownKey(), kid, { ...claims, nbf: now() + FIVE_MINUTES })),
  },
  'a wrong audience': {
    authorization: async ({ claims, kid }) =>
      withBearer(signWith(await ownKey(), kid, { ...claims, aud: 'pixelvault-prod' })),
  },
  'a wrong issuer': {
    authorization: async ({ claims, kid }) =>
      withBearer(signWith(await ownKey(), kid, { ...claims, iss: 'https://attacker.example/v1/auth' })),
  },
  'an unknown kid (our key under its own kid)': {
    authorization: async ({ claims }) => {
      const { privateKey, kid } = await attackerKey();
      return withBearer(signWith(privateKey, kid, claims));
    },
  },
  'no Authorization header': {
    authorization: async () => undefined,
  },
  'the Basic scheme': {
    authorization: async () => `Basic ${Buffer.from('demo-partner:demo-secret').toString('base64')}`,
  },
};

const ROUTES = [
  { method: 'POST', path: '/v1/auth/upload-links', body: {}, success: 201 },
  { method: 'DELETE', path: '/v1/auth/sessions/current', body: undefined, success: 204 },
] as const;

/** A real guest session, and what an attacker can see: its claims and the published key. */
async function realGuest() {
  const tenant = await createTestTenant();
  const guest = await guestSession(tenant);
  const { keys } = await publishedJwks();
  const jwk = keys[0]! as Record<string, unknown>;
  return { guest, kid: jwk.kid as string, jwk };
}

describe('the TOKEN authorizer on protected auth routes', () => {
  describe.each(ROUTES)('$method $path', ({ method, path, body, success }) => {
    it(`lets a real session token through (${success})`, async () => {
      // Arrange
      const { guest } = await realGuest();

      // Act
      const response = await callApi(method, path, { token: guest.accessToken, body });

      // Assert
      expect(response.status).toBe(success);
    });

    it.each(Object.keys(ATTACKS))('refuses %s with 401', async (name) => {
      // Arrange: the real token's claims with a fresh jti, so nothing it did could be mistaken for ours
      const { guest, kid, jwk } = await realGuest();
      const claims = { ...decodeJwt(guest.accessToken), jti: crypto.randomUUID() };
      expect(claims.iss).toBe(tokenIssuer());
      const authorization = await ATTACKS[name]!.authorization({ claims, kid, jwk });

      // Act
      const response = await callApi(method, path, {
        body,
        headers: authorization === undefined ? {} : { authorization },
      });

      // Assert: the status only; the authorizer's 401 body is serverless-offline's, not the API's (yet)
      expect(response.status).toBe(401);
      if (authorization?.startsWith('Bearer ')) {
        // Had the forged token reached logout, its jti would now be revoked.
        await expect(isRevoked(authorization.slice('Bearer '.length))).resolves.toBe(false);
      }
      // The real session is untouched by the attempt.
      const stillWorks = await callApi('POST', '/v1/auth/upload-links', {
        token: guest.accessToken,
        body: {},
      });
      expect(stillWorks.status).toBe(201);
    });
  });
});
