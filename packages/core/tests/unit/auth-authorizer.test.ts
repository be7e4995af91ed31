import {
  createTokenAuthorizer,
  type SigningKeys,
  type TokenClaims,
  type TokenVerifier,
} from '../../src/auth';
import {
  aRecordingLogger,
  aToken,
  aVerifier,
  anAuthorizerEvent,
  authorize,
  memorySigningKeys,
  NOW,
} from '../helpers/factories';

describe('createTokenAuthorizer', () => {
  let keys: SigningKeys;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    ({ keys } = await memorySigningKeys());
    verifier = aVerifier(await keys.publicJwks());
  });

  it('allows the whole API and passes the claims on as context', async () => {
    // Arrange
    const token = await aToken(keys, {
      kind: 'upload',
      scope: 'files:upload',
      owner: 'user#u-1',
      longTerm: true,
      sessionId: 's-1',
    });
    const logger = aRecordingLogger();
    const authorizer = createTokenAuthorizer({ verifier, logger });

    // Act
    const result = await authorize(authorizer, anAuthorizerEvent(`Bearer ${token}`));

    // Assert
    expect(result).toEqual({
      principalId: 'session#s-1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: 'Allow',
            Resource: 'arn:aws:execute-api:eu-central-1:123456789012:abc123/dev/*',
          },
        ],
      },
      context: {
        sub: 'session#s-1',
        tid: 'demo',
        scope: 'files:upload',
        kind: 'upload',
        jti: expect.any(String),
        exp: NOW.getTime() / 1000 + 3600,
        owner: 'user#u-1',
        longTerm: true,
        sid: 's-1',
      },
    });
    expect(logger.lines).toEqual([]);
  });

  it('accepts the scheme in any case', async () => {
    // Arrange
    const token = await aToken(keys);
    const authorizer = createTokenAuthorizer({ verifier, logger: aRecordingLogger() });

    // Act
    const result = await authorize(authorizer, anAuthorizerEvent(`bearer ${token}`));

    // Assert
    expect(result.principalId).toBe('session#s-1');
  });

  it.each([
    ['no header', undefined, 'no_bearer_token'],
    ['an empty header', '', 'no_bearer_token'],
    ['the Basic scheme', 'Basic ZGVtbzpzZWNyZXQ=', 'no_bearer_token'],
    ['Bearer without a token', 'Bearer ', 'no_bearer_token'],
    ['a bare token without scheme', 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln', 'no_bearer_token'],
    ['garbage after Bearer', 'Bearer not-a-jwt', 'malformed'],
  ])('refuses %s with Unauthorized', async (_what, header, reason) => {
    // Arrange
    const logger = aRecordingLogger();
    const authorizer = createTokenAuthorizer({ verifier, logger });

    // Act
    const result = authorize(authorizer, anAuthorizerEvent(header));

    // Assert
    await expect(result).rejects.toThrow(/^Unauthorized$/);
    expect(logger.lines).toEqual([{ level: 'info', message: 'Token rejected', extra: { reason } }]);
  });

  it('refuses a token that fails verification, logging the reason and never the token', async () => {
    // Arrange
    const expired = await aToken(keys, { ttlSeconds: 60 }, new Date(NOW.getTime() - 3_600_000));
    const logger = aRecordingLogger();
    const authorizer = createTokenAuthorizer({ verifier, logger });

    // Act
    const result = authorize(authorizer, anAuthorizerEvent(`Bearer ${expired}`));

    // Assert
    await expect(result).rejects.toThrow(/^Unauthorized$/);
    expect(logger.lines).toEqual([
      { level: 'info', message: 'Token rejected', extra: { reason: 'expired' } },
    ]);
    expect(JSON.stringify(logger.lines)).not.toContain(expired.split('.')[2]);
  });

  it('refuses a revoked token', async () => {
    // Arrange
    const token = await aToken(keys);
    const checked: TokenClaims[] = [];
    const logger = aRecordingLogger();
    const authorizer = createTokenAuthorizer({
      verifier,
      logger,
      isRevoked: async (claims) => {
        checked.push(claims);
        return true;
      },
    });

    // Act
    const result = authorize(authorizer, anAuthorizerEvent(`Bearer ${token}`));

    // Assert
    await expect(result).rejects.toThrow(/^Unauthorized$/);
    expect(checked).toEqual([expect.objectContaining({ sub: 'session#s-1', tid: 'demo' })]);
    expect(logger.lines).toEqual([
      { level: 'info', message: 'Token rejected', extra: { reason: 'revoked', jti: checked[0]!.jti } },
    ]);
  });

  it('fails with a 500, not a cacheable 401, when the keys cannot be fetched', async () => {
    // Arrange
    const token = await aToken(keys);
    const logger = aRecordingLogger();
    const unreachable = aVerifier({ url: 'http://127.0.0.1:9/.well-known/jwks.json' });
    const authorizer = createTokenAuthorizer({ verifier: unreachable, logger });

    // Act
    const result = authorize(authorizer, anAuthorizerEvent(`Bearer ${token}`));

    // Assert
    await expect(result).rejects.toThrow(/^Authorizer failed$/);
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'error' })]);
  });

  it('fails with a 500 when the revocation check fails', async () => {
    // Arrange
    const token = await aToken(keys);
    const authorizer = createTokenAuthorizer({
      verifier,
      logger: aRecordingLogger(),
      isRevoked: async () => {
        throw new Error('table unavailable');
      },
    });

    // Act
    const result = authorize(authorizer, anAuthorizerEvent(`Bearer ${token}`));

    // Assert
    await expect(result).rejects.toThrow(/^Authorizer failed$/);
  });
});
