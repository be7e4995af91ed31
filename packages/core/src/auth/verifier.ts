import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import { identityProblem, MAX_CLOCK_TOLERANCE_SECONDS, type TokenClaims } from './claims';

export type RejectionReason =
  | 'expired'
  | 'not_yet_valid'
  | 'bad_signature'
  | 'bad_audience'
  | 'bad_issuer'
  | 'unknown_key'
  | 'malformed'
  | 'missing_claim'
  | 'bad_algorithm';

/** The token is not acceptable. Only `reason` is meant for the outside; the jose error stays in `cause`. */
export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';
  constructor(
    readonly reason: RejectionReason,
    options?: { cause?: unknown },
  ) {
    super(`Token rejected: ${reason}`, options);
  }
}

/**
 * The public keys could not be fetched: an outage, not the token's fault. The authorizer turns it into a 500,
 * which API Gateway does not cache, instead of a 401 that it would cache for the token's lifetime.
 */
export class JwksUnavailableError extends Error {
  override readonly name = 'JwksUnavailableError';
  constructor(options?: { cause?: unknown }) {
    super('Signing keys unavailable', options);
  }
}

export type JwksSource = { url: string } | { keys: JWK[] } | (() => Promise<{ keys: JWK[] }>);

export interface TokenVerifierOptions {
  jwks: JwksSource;
  issuer: string;
  audience: string;
  /** Allowed clock skew; at most 60 s, so an expired token cannot live on for long. */
  clockToleranceSeconds?: number;
  now?: () => Date;
}

export interface TokenVerifier {
  verify(token: string): Promise<TokenClaims>;
}

// API Gateway accepts at most 10 KB of headers; our tokens are ~600 bytes. Don't parse anything bigger.
const MAX_TOKEN_LENGTH = 8192;
const REQUIRED_CLAIMS = ['exp', 'iat', 'nbf', 'jti', 'sub', 'tid'];

/** The key lookup for each way of getting the JWKS. */
function keyLookup(jwks: JwksSource): JWTVerifyGetKey {
  if (typeof jwks === 'function') {
    // Rebuilt only when the source hands out a new set; SigningKeys returns the same object until it reloads.
    let source: { keys: JWK[] } | undefined;
    let lookup: JWTVerifyGetKey | undefined;
    return async (header, token) => {
      const current = await jwks();
      if (current !== source || !lookup) {
        lookup = createLocalJWKSet(current);
        source = current;
      }
      return lookup(header, token);
    };
  }
  // jose's remote set caches the keys, refetches on an unknown kid and rate-limits that with the cooldown.
  if ('url' in jwks) return createRemoteJWKSet(new URL(jwks.url), { cooldownDuration: 30_000 });
  return createLocalJWKSet({ keys: jwks.keys });
}

/** Separates "no key for this token" (a rejection) from "could not get the keys" (an outage). */
function guardedLookup(lookup: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    // Every token we issue names its key; without a kid jose would try keys by type, which we never need.
    if (typeof header.kid !== 'string' || header.kid === '') throw new TokenRejectedError('unknown_key');
    try {
      return await lookup(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
        throw new TokenRejectedError('unknown_key', { cause: error });
      throw new JwksUnavailableError({ cause: error });
    }
  };
}

function reasonFor(error: unknown): RejectionReason {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return 'missing_claim';
    if (error.reason === 'check_failed') {
      if (error.claim === 'nbf') return 'not_yet_valid';
      if (error.claim === 'aud') return 'bad_audience';
      if (error.claim === 'iss') return 'bad_issuer';
    }
    return 'malformed';
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return 'bad_algorithm';
  return 'malformed';
}

/** jose checked signature and times; this checks that the payload is one of our tokens. */
function tokenClaims(payload: JWTPayload): TokenClaims {
  const { iss, aud, sub, tid, scope, exp, nbf, iat, jti, kind, owner, longTerm, sid } = payload;
  if (
    typeof iss !== 'string' ||
    typeof aud !== 'string' ||
    typeof exp !== 'number' ||
    typeof nbf !== 'number' ||
    typeof iat !== 'number' ||
    typeof jti !== 'string' ||
    jti === '' ||
    identityProblem({ sub, tid, kind, scope, owner, longTerm, sid }) !== undefined
  )
    throw new TokenRejectedError('malformed');
  // identityProblem has checked these; the casts only restate it for the compiler.
  return {
    iss,
    aud,
    sub: sub as TokenClaims['sub'],
    tid: tid as string,
    scope: scope as string,
    exp,
    nbf,
    iat,
    jti,
    kind: kind as TokenClaims['kind'],
    ...(owner === undefined ? {} : { owner: owner as TokenClaims['owner'] }),
    ...(longTerm === undefined ? {} : { longTerm: longTerm as boolean }),
    ...(sid === undefined ? {} : { sid: sid as string }),
  };
}

/**
 * Verifies Pixelvault access tokens with public keys only: ES256 and nothing else, our issuer and audience,
 * every time claim present and valid within the clock tolerance. Every failure is a TokenRejectedError (or a
 * JwksUnavailableError when the keys cannot be fetched).
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { jwks, issuer, audience, clockToleranceSeconds = 30, now } = options;
  if (
    !Number.isFinite(clockToleranceSeconds) ||
    clockToleranceSeconds < 0 ||
    clockToleranceSeconds > MAX_CLOCK_TOLERANCE_SECONDS
  )
    throw new RangeError(
      `clockToleranceSeconds must be between 0 and ${MAX_CLOCK_TOLERANCE_SECONDS}, got ${clockToleranceSeconds}`,
    );
  if (!issuer || !audience) throw new Error('createTokenVerifier needs an issuer and an audience');
  const lookup = guardedLookup(keyLookup(jwks));
  const verifyOptions: JWTVerifyOptions = {
    algorithms: ['ES256'],
    typ: 'JWT',
    issuer,
    audience,
    clockTolerance: clockToleranceSeconds,
    requiredClaims: REQUIRED_CLAIMS,
  };

  return {
    async verify(token) {
      if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH)
        throw new TokenRejectedError('malformed');
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(
          token,
          lookup,
          now ? { ...verifyOptions, currentDate: now() } : verifyOptions,
        ));
      } catch (error) {
        if (error instanceof TokenRejectedError || error instanceof JwksUnavailableError) throw error;
        throw new TokenRejectedError(reasonFor(error), { cause: error });
      }
      return tokenClaims(payload);
    },
  };
}
