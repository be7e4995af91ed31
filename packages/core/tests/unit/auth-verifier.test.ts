import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, exportSPKI, importJWK, type CryptoKey, type JWK } from 'jose';
import {
  fileSigningKeys,
  issueToken,
  JwksUnavailableError,
  rotateFileSigningKeys,
  TokenRejectedError,
  type RejectionReason,
  type TokenVerifier,
} from '../../src/auth';
import {
  aToken,
  aTokenInput,
  aVerifier,
  memorySigningKeys,
  NOW,
  otherKeyPair,
  signRaw,
  tempDir,
  unsignedToken,
  validPayload,
} from '../helpers/factories';

async function rejection(verifier: TokenVerifier, token: string): Promise<TokenRejectedError> {
  const error = await verifier.verify(token).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TokenRejectedError))
    throw new Error(`Expected a TokenRejectedError, got ${String(error)}`);
  return error;
}

const at = (offsetSeconds: number) => () => new Date(NOW.getTime() + offsetSeconds * 1000);

describe('createTokenVerifier', () => {
  let jwks: { keys: JWK[] };
  let signing: Awaited<ReturnType<typeof memorySigningKeys>>;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    signing = await memorySigningKeys();
    jwks = await signing.keys.publicJwks();
    verifier = aVerifier(jwks);
  });

  const privateKey = () => {
    const { kty, crv, x, y, d } = signing.stored[0]!;
    return importJWK({ kty, crv, x, y, d }, 'ES256');
  };
  const kid = () => signing.stored[0]!.kid;

  it('accepts a token it issued and returns its claims', async () => {
    // Arrange
    const token = await aToken(signing.keys, { kind: 'upload', scope: 'files:upload', owner: 'user#u-1' });

    // Act
    const claims = await verifier.verify(token);

    // Assert
    expect(claims).toEqual({
      iss: 'https://api.pixelvault.test/v1/auth',
      aud: 'pixelvault',
      sub: 'session#s-1',
      tid: 'demo',
      scope: 'files:upload',
      kind: 'upload',
      owner: 'user#u-1',
      iat: NOW.getTime() / 1000,
      nbf: NOW.getTime() / 1000,
      exp: NOW.getTime() / 1000 + 3600,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  describe('rejects, with the right reason,', () => {
    const cases: Array<[string, () => Promise<string>, RejectionReason]> = [
      [
        'a signature by another key that claims our kid',
        async () =>
          signRaw(
            validPayload(),
            { alg: 'ES256', kid: kid(), typ: 'JWT' },
            (await otherKeyPair()).privateKey,
          ),
        'bad_signature',
      ],
      [
        'a tampered payload',
        async () => {
          const [header, , signature] = (await aToken(signing.keys)).split('.');
          const payload = Buffer.from(JSON.stringify(validPayload({ tid: 'other-tenant' }))).toString(
            'base64url',
          );
          return `${header}.${payload}.${signature}`;
        },
        'bad_signature',
      ],
      [
        'an unsigned token (alg none)',
        async () => unsignedToken({ alg: 'none', kid: kid(), typ: 'JWT' }, validPayload()),
        'bad_algorithm',
      ],
      [
        'HS256 keyed with the public JWK',
        async () =>
          signRaw(
            validPayload(),
            { alg: 'HS256', kid: kid(), typ: 'JWT' },
            new TextEncoder().encode(JSON.stringify(jwks.keys[0])),
          ),
        'bad_algorithm',
      ],
      [
        'HS256 keyed with the public key PEM',
        async () => {
          const publicKey = await importJWK(jwks.keys[0]!, 'ES256', { extractable: true });
          const pem = await exportSPKI(publicKey as CryptoKey);
          return signRaw(
            validPayload(),
            { alg: 'HS256', kid: kid(), typ: 'JWT' },
            new TextEncoder().encode(pem),
          );
        },
        'bad_algorithm',
      ],
      [
        'ES384 (not the one algorithm we use)',
        async () => unsignedToken({ alg: 'ES384', kid: kid(), typ: 'JWT' }, validPayload(), 'c2ln'),
        'bad_algorithm',
      ],
      [
        'a kid not in the key set',
        async () => signRaw(validPayload(), { alg: 'ES256', kid: 'unknown', typ: 'JWT' }, await privateKey()),
        'unknown_key',
      ],
      [
        'a token without a kid',
        async () => signRaw(validPayload(), { alg: 'ES256', typ: 'JWT' }, await privateKey()),
        'unknown_key',
      ],
      ['the wrong audience', async () => aToken(signing.keys, { audience: 'someone-else' }), 'bad_audience'],
      ['the wrong issuer', async () => aToken(signing.keys, { issuer: 'https://evil.test' }), 'bad_issuer'],
      [
        'a token expired beyond the tolerance',
        async () => aToken(signing.keys, { ttlSeconds: 60 }, new Date(NOW.getTime() - 91_000)),
        'expired',
      ],
      [
        'a token valid only later than the tolerance',
        async () => aToken(signing.keys, {}, new Date(NOW.getTime() + 31_000)),
        'not_yet_valid',
      ],
      ...(['jti', 'tid', 'exp', 'nbf', 'iat', 'sub'] as const).map(
        (claim): [string, () => Promise<string>, RejectionReason] => [
          `a token without ${claim}`,
          async () =>
            signRaw(
              validPayload({ [claim]: undefined }),
              { alg: 'ES256', kid: kid(), typ: 'JWT' },
              await privateKey(),
            ),
          'missing_claim',
        ],
      ),
      ...(
        [
          ['a subject without a known prefix', { sub: 'admin' }],
          ['an unknown kind', { kind: 'root' }],
          ['an empty tenant', { tid: '' }],
          ['a partner kind on a session subject', { kind: 'partner' }],
          ['an upload link without an owner', { kind: 'upload' }],
          ['a non-string scope', { scope: ['files:read'] }],
          ['an audience array', { aud: ['pixelvault', 'other'] }],
          ['a string exp', { exp: '9999999999' }],
          ['an empty session id', { sid: '' }],
        ] satisfies Array<[string, Record<string, unknown>]>
      ).map(([what, claims]): [string, () => Promise<string>, RejectionReason] => [
        `a token with ${what}`,
        async () =>
          signRaw(validPayload(claims), { alg: 'ES256', kid: kid(), typ: 'JWT' }, await privateKey()),
        'malformed',
      ]),
      [
        'a token of another type (typ)',
        async () =>
          signRaw(validPayload(), { alg: 'ES256', kid: kid(), typ: 'dpop+jwt' }, await privateKey()),
        'malformed',
      ],
    ];

    it.each(cases)('%s', async (_what, makeToken, reason) => {
      // Arrange
      const token = await makeToken();

      // Act
      const error = await rejection(verifier, token);

      // Assert
      expect(error.reason).toBe(reason);
      expect(error.message).toBe(`Token rejected: ${reason}`);
    });

    it.each([
      ['an empty string', ''],
      ['one word', 'garbage'],
      ['two parts', 'a.b'],
      ['three parts that are not base64url JSON', 'a.b.c'],
      ['only dots', '...'],
      ['an empty header', '.eyJ9.'],
      ['a header that is broken JSON', `${Buffer.from('{"alg":"ES256"').toString('base64url')}.e30.c2ln`],
      ['10 KB of anything', 'x'.repeat(10_000)],
    ])('%s', async (_what, token) => {
      // Act
      const error = await rejection(verifier, token);

      // Assert
      expect(error.reason).toBe('malformed');
    });
  });

  it('accepts a token expired by less than the clock tolerance', async () => {
    // Arrange
    const token = await aToken(signing.keys, { ttlSeconds: 60 }, new Date(NOW.getTime() - 89_000));

    // Act
    const claims = await verifier.verify(token);

    // Assert
    expect(claims.exp).toBe(NOW.getTime() / 1000 - 29);
  });

  it('accepts a token issued by a clock running ahead by less than the tolerance', async () => {
    // Arrange
    const token = await aToken(signing.keys, {}, new Date(NOW.getTime() + 29_000));

    // Act / Assert
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'session#s-1' });
  });

  it('reads the clock on every verification', async () => {
    // Arrange
    const token = await aToken(signing.keys, { ttlSeconds: 60 });
    const later = aVerifier(jwks, { now: at(120) });

    // Act
    const error = await rejection(later, token);

    // Assert
    expect(error.reason).toBe('expired');
  });

  it.each([61, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a clock tolerance of %p', (tolerance) => {
    // Act / Assert
    expect(() => aVerifier(jwks, { clockToleranceSeconds: tolerance })).toThrow(RangeError);
  });

  it('verifies old tokens while both keys are published and signs new ones with the newest key', async () => {
    // Arrange
    const dir = await tempDir();
    const before = fileSigningKeys(dir);
    const oldToken = await aToken(before);
    const { kid: newKid } = await rotateFileSigningKeys(dir, new Date(Date.now() + 60_000));
    const after = fileSigningKeys(dir);
    const rotated = aVerifier(() => after.publicJwks());

    // Act
    const newToken = await aToken(after);

    // Assert
    expect(decodeProtectedHeader(newToken).kid).toBe(newKid);
    expect(decodeProtectedHeader(oldToken).kid).not.toBe(newKid);
    await expect(rotated.verify(oldToken)).resolves.toMatchObject({ tid: 'demo' });
    await expect(rotated.verify(newToken)).resolves.toMatchObject({ tid: 'demo' });
    expect((await after.publicJwks()).keys).toHaveLength(2);
  });

  describe('with a JWKS URL', () => {
    let server: Server;
    let served: { keys: JWK[] };
    let requests = 0;
    let url: string;

    beforeAll(async () => {
      server = createServer((_request, response) => {
        requests++;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(served));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('fetches once, and refetches when a token names a key it has not seen', async () => {
      // Arrange
      const two = await memorySigningKeys(2);
      const [older] = two.stored;
      const oldOnly = (await two.keys.publicJwks()).keys.filter((key) => key.kid === older!.kid);
      served = { keys: oldOnly };
      requests = 0;
      const remote = aVerifier({ url });
      const { kty, crv, x, y, d } = older!;
      const oldToken = await signRaw(
        validPayload(),
        { alg: 'ES256', kid: older!.kid, typ: 'JWT' },
        await importJWK({ kty, crv, x, y, d }, 'ES256'),
      );
      await remote.verify(oldToken);
      await remote.verify(oldToken);
      served = await two.keys.publicJwks();
      const newToken = await aToken(two.keys);
      // jose refetches for an unknown kid at most once per 30 s cooldown.
      const afterCooldown = Date.now() + 31_000;
      jest.spyOn(Date, 'now').mockReturnValue(afterCooldown);

      // Act
      const claims = await remote.verify(newToken);

      // Assert
      expect(claims.tid).toBe('demo');
      expect(requests).toBe(2);
      jest.restoreAllMocks();
    });

    it('rejects a kid the key set does not publish', async () => {
      // Arrange
      served = jwks;
      const stranger = await memorySigningKeys();
      const token = await aToken(stranger.keys);

      // Act
      const error = await rejection(aVerifier({ url }), token);

      // Assert
      expect(error.reason).toBe('unknown_key');
    });

    it('reports an unreachable key set as an outage, not a rejection', async () => {
      // Arrange
      const token = await aToken(signing.keys);
      const unreachable = aVerifier({ url: 'http://127.0.0.1:9/.well-known/jwks.json' });

      // Act / Assert
      await expect(unreachable.verify(token)).rejects.toBeInstanceOf(JwksUnavailableError);
    });
  });

  it('issues through issueToken and verifies through a key set function', async () => {
    // Arrange
    const { token, claims } = await issueToken(
      signing.keys,
      aTokenInput({ sub: 'user#u-9', kind: 'user' }),
      NOW,
    );

    // Act
    const verified = await aVerifier(() => signing.keys.publicJwks()).verify(token);

    // Assert
    expect(verified).toEqual(claims);
  });
});
