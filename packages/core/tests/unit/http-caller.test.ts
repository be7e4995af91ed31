import { createTokenAuthorizer } from '../../src/auth';
import { ApiError } from '../../src/errors';
import { callerOf, requireScope, type Caller } from '../../src/http/caller';
import {
  aProxyEvent,
  aRecordingLogger,
  aToken,
  aVerifier,
  anAuthorizerEvent,
  authorize,
  memorySigningKeys,
} from '../helpers/factories';

const CONTEXT = {
  sub: 'session#s-1',
  tid: 'demo',
  scope: 'files:upload',
  kind: 'upload',
  jti: 'j-1',
  exp: 1_772_370_000,
  owner: 'user#u-1',
  longTerm: true,
};

const EXPECTED: Caller = {
  sub: 'session#s-1',
  tenantId: 'demo',
  scopes: new Set(['files:upload']),
  kind: 'upload',
  jti: 'j-1',
  exp: 1_772_370_000,
  owner: 'user#u-1',
  longTerm: true,
};

describe('callerOf', () => {
  it('reads the context the authorizer returned (serverless-offline passes it as is)', async () => {
    // Arrange
    const { keys } = await memorySigningKeys();
    const token = await aToken(keys, {
      kind: 'user',
      sub: 'user#u-1',
      scope: 'files:read',
      sessionId: 'sess-1',
    });
    const authorizer = createTokenAuthorizer({
      verifier: aVerifier(await keys.publicJwks()),
      logger: aRecordingLogger(),
    });
    const { context } = await authorize(authorizer, anAuthorizerEvent(`Bearer ${token}`));

    // Act
    const caller = callerOf(aProxyEvent({ ...context, principalId: 'user#u-1' }));

    // Assert
    expect(caller).toEqual({
      sub: 'user#u-1',
      tenantId: 'demo',
      scopes: new Set(['files:read']),
      kind: 'user',
      jti: expect.any(String),
      exp: expect.any(Number),
      sessionId: 'sess-1',
    });
  });

  it('reads the context as API Gateway stringifies it', () => {
    // Arrange
    const event = aProxyEvent({ ...CONTEXT, exp: String(CONTEXT.exp), longTerm: 'true' });

    // Act
    const caller = callerOf(event);

    // Assert
    expect(caller).toEqual(EXPECTED);
  });

  it.each([
    ['no authorizer context', undefined],
    ['an empty context', {}],
    ['no tenant', { ...CONTEXT, tid: undefined }],
    ['an unknown kind', { ...CONTEXT, kind: 'admin' }],
    ['a subject without prefix', { ...CONTEXT, sub: 's-1' }],
    ['no jti', { ...CONTEXT, jti: '' }],
    ['a non-numeric exp', { ...CONTEXT, exp: 'soon' }],
  ])('refuses %s with 401', (_what, context) => {
    // Act
    const reading = () => callerOf(aProxyEvent(context));

    // Assert
    expect(reading).toThrow(expect.objectContaining({ statusCode: 401, code: 'unauthorized' }));
  });
});

describe('requireScope', () => {
  it('lets a caller with the scope through', () => {
    // Act / Assert
    expect(() => requireScope(EXPECTED, 'files:upload')).not.toThrow();
  });

  it('refuses a caller without the scope with 403 insufficient_scope', () => {
    // Act
    const requiring = () => requireScope(EXPECTED, 'files:delete');

    // Assert
    expect(requiring).toThrow(ApiError);
    expect(requiring).toThrow(expect.objectContaining({ statusCode: 403, code: 'insufficient_scope' }));
  });
});
