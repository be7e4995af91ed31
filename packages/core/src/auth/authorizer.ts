import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerResultContext, APIGatewayTokenAuthorizerHandler } from 'aws-lambda';
import { logger as defaultLogger } from '../logger';
import type { TokenClaims } from './claims';
import { TokenRejectedError, type TokenVerifier } from './verifier';

export interface TokenAuthorizerOptions {
  verifier: TokenVerifier;
  /** Logout and other revocations; the only check that may cost a lookup. */
  isRevoked?: (claims: TokenClaims) => Promise<boolean>;
  logger?: Pick<Logger, 'info' | 'error'>;
}

const BEARER = /^Bearer +(\S+)$/i;

/**
 * `arn:aws:execute-api:region:account:apiId/stage/METHOD/path` -> `...:apiId/stage/*`. API Gateway caches the
 * result per token, not per route, so a policy for the one route would deny the token's next route.
 */
function wholeApiArn(methodArn: string): string {
  const parts = methodArn.split(':');
  const [apiId, stage] = parts[5]?.split('/') ?? [];
  if (parts.length !== 6 || parts[2] !== 'execute-api' || !apiId || !stage)
    throw new Error(`Unexpected methodArn ${methodArn}`);
  return `${parts.slice(0, 5).join(':')}:${apiId}/${stage}/*`;
}

/** The claims as API Gateway passes them on: a flat map of strings, numbers and booleans. */
function authorizerContext(claims: TokenClaims): APIGatewayAuthorizerResultContext {
  const { sub, tid, scope, kind, jti, exp, owner, longTerm, sid } = claims;
  return {
    sub,
    tid,
    scope,
    kind,
    jti,
    exp,
    ...(owner === undefined ? {} : { owner }),
    ...(longTerm === undefined ? {} : { longTerm }),
    ...(sid === undefined ? {} : { sid }),
  };
}

/** A verified, unrevoked token's claims, or why the header was refused. Outages (keys, revocation store) throw. */
export type BearerAuthentication = { claims: TokenClaims } | { rejected: string; jti?: string };

/** `Authorization: Bearer <jwt>` checked as every authorizer checks it: signature and claims, then revocation. */
export async function authenticateBearer(
  authorization: string | undefined,
  verifier: TokenVerifier,
  isRevoked?: (claims: TokenClaims) => Promise<boolean>,
): Promise<BearerAuthentication> {
  const token = BEARER.exec(authorization?.trim() ?? '')?.[1];
  if (!token) return { rejected: 'no_bearer_token' };
  let claims: TokenClaims;
  try {
    claims = await verifier.verify(token);
  } catch (error) {
    if (error instanceof TokenRejectedError) return { rejected: error.reason };
    throw error;
  }
  if (await isRevoked?.(claims)) return { rejected: 'revoked', jti: claims.jti };
  return { claims };
}

/**
 * A Lambda TOKEN authorizer: `Bearer <jwt>` -> Allow on the whole API with the claims as context. Every refusal
 * throws `Unauthorized`, which API Gateway (and serverless-offline) answer with 401. The token is never logged.
 */
export function createTokenAuthorizer({
  verifier,
  isRevoked,
  logger = defaultLogger,
}: TokenAuthorizerOptions): APIGatewayTokenAuthorizerHandler {
  const unauthorized = (reason: string, details: Record<string, unknown> = {}) => {
    logger.info('Token rejected', { reason, ...details });
    return new Error('Unauthorized');
  };
  // Not the token's fault (keys or revocation store unreachable): a 500, which API Gateway does not cache
  // against the token as it would a 401.
  const failed = (what: string, error: unknown) => {
    logger.error(what, { error: error as Error });
    return new Error('Authorizer failed');
  };

  return async (event) => {
    let authentication: BearerAuthentication;
    try {
      authentication = await authenticateBearer(event.authorizationToken, verifier, isRevoked);
    } catch (error) {
      throw failed('Token could not be checked', error);
    }
    if ('rejected' in authentication) {
      const { rejected, jti } = authentication;
      throw unauthorized(rejected, jti === undefined ? {} : { jti });
    }
    const { claims } = authentication;

    return {
      principalId: claims.sub,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: wholeApiArn(event.methodArn) },
        ],
      },
      context: authorizerContext(claims),
    };
  };
}
