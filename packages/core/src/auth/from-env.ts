import { requiredEnv } from '../config';
import { createDb, isTokenRevoked } from '../entities';
import { createTokenAuthorizer } from './authorizer';
import { createTokenVerifier, type TokenVerifier } from './verifier';

let verifier: TokenVerifier | undefined;

/** The verifier every service uses: the auth service's JWKS (cached per container), its issuer and audience. */
export function verifierFromEnv(): TokenVerifier {
  return (verifier ??= createTokenVerifier({
    jwks: { url: requiredEnv('JWKS_URL') },
    issuer: requiredEnv('TOKEN_ISSUER'),
    audience: requiredEnv('TOKEN_AUDIENCE'),
  }));
}

/**
 * The TOKEN authorizer of every REST API: signature and claims checked with public keys only, then one GetItem
 * for revocation (logout), so a revoked token stops working at once everywhere.
 */
export function tokenAuthorizerFromEnv() {
  const db = createDb();
  return createTokenAuthorizer({
    verifier: verifierFromEnv(),
    isRevoked: (claims) => isTokenRevoked(db, { tenantId: claims.tid, jti: claims.jti }),
  });
}
