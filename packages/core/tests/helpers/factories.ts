import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayTokenAuthorizerEvent,
  APIGatewayTokenAuthorizerHandler,
  Context,
} from 'aws-lambda';
import { base64url, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import {
  createTokenVerifier,
  generateSigningKey,
  issueToken,
  ssmSigningKeys,
  type IssueTokenInput,
  type JwksSource,
  type SigningKeys,
  type StoredSigningKey,
  type TokenVerifierOptions,
} from '../../src/auth';

export const ISSUER = 'https://api.pixelvault.test/v1/auth';
export const AUDIENCE = 'pixelvault';
export const NOW = new Date('2026-03-01T12:00:00Z');
export const METHOD_ARN = 'arn:aws:execute-api:eu-central-1:123456789012:abc123/dev/GET/v1/files/f1';

export const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'pixelvault-keys-'));

/** An in-memory key store: the SSM store over a fake parameter fetch. Older keys first. */
export async function memorySigningKeys(
  count = 1,
): Promise<{ keys: SigningKeys; stored: StoredSigningKey[] }> {
  const stored = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      generateSigningKey(new Date(NOW.getTime() - (count - index) * 1000)),
    ),
  );
  const keys = ssmSigningKeys({
    parameterNames: stored.map((_, index) => `/pixelvault/test/signing-key-${index}`),
    fetchParameters: async () => stored.map((key) => JSON.stringify(key)),
  });
  return { keys, stored };
}

export const aTokenInput = (overrides: Partial<IssueTokenInput> = {}): IssueTokenInput => ({
  issuer: ISSUER,
  audience: AUDIENCE,
  sub: 'session#s-1',
  tid: 'demo',
  kind: 'guest',
  scope: 'files:read files:write',
  ttlSeconds: 3600,
  ...overrides,
});

export const aVerifier = (jwks: JwksSource, overrides: Partial<TokenVerifierOptions> = {}) =>
  createTokenVerifier({ jwks, issuer: ISSUER, audience: AUDIENCE, now: () => NOW, ...overrides });

export async function aToken(keys: SigningKeys, overrides: Partial<IssueTokenInput> = {}, now = NOW) {
  return (await issueToken(keys, aTokenInput(overrides), now)).token;
}

/** Valid claims for hand-signed tokens that bypass issueToken's own checks. */
export const validPayload = (overrides: Record<string, unknown> = {}): JWTPayload => {
  const iat = Math.floor(NOW.getTime() / 1000);
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'session#s-1',
    tid: 'demo',
    scope: 'files:read',
    kind: 'guest',
    iat,
    nbf: iat,
    exp: iat + 600,
    jti: 'jti-1',
    // Attacks need claims of the wrong type, which JWTPayload would not allow.
    ...(overrides as JWTPayload),
  };
};

/** Signs any header and payload with any key, the way an attacker would. */
export const signRaw = (
  payload: JWTPayload,
  header: { alg: string; kid?: string; typ?: string },
  key: CryptoKey | Uint8Array,
) => new SignJWT(payload).setProtectedHeader(header).sign(key);

export const otherKeyPair = () => generateKeyPair('ES256', { extractable: true });

/** Builds a compact JWS from raw parts without signing (alg none and friends). */
export const unsignedToken = (header: object, payload: object, signature = '') =>
  [base64url.encode(JSON.stringify(header)), base64url.encode(JSON.stringify(payload)), signature].join('.');

export const anAuthorizerEvent = (
  authorizationToken: string | undefined,
  methodArn = METHOD_ARN,
): APIGatewayTokenAuthorizerEvent =>
  ({ type: 'TOKEN', methodArn, authorizationToken }) as APIGatewayTokenAuthorizerEvent;

export const authorize = (handler: APIGatewayTokenAuthorizerHandler, event: APIGatewayTokenAuthorizerEvent) =>
  handler(event, {} as Context, () => undefined) as Promise<APIGatewayAuthorizerResult>;

/** A logger that records what it was given. */
export function aRecordingLogger() {
  const lines: Array<{ level: string; message: unknown; extra: unknown }> = [];
  return {
    lines,
    info: (message: unknown, ...extra: unknown[]) =>
      void lines.push({ level: 'info', message, extra: extra[0] }),
    error: (message: unknown, ...extra: unknown[]) =>
      void lines.push({ level: 'error', message, extra: extra[0] }),
  };
}

export const aProxyEvent = (authorizer: Record<string, unknown> | undefined): APIGatewayProxyEvent =>
  ({ requestContext: { authorizer }, headers: {} }) as unknown as APIGatewayProxyEvent;
