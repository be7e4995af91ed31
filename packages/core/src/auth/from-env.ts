import { requiredEnv } from '../config';
import { createDb, isTokenRevoked, type Db } from '../entities';
import { unauthorized } from '../errors';
import { callerFromClaims, type Caller } from '../http/caller';
import { authenticateBearer, createTokenAuthorizer } from './authorizer';
import type { TokenClaims } from './claims';
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
 * for revocation (of the token's session, or of the token itself when it has none: logout, erasure), so a
 * revoked token stops working at once everywhere.
 */
export function tokenAuthorizerFromEnv() {
  const db = createDb();
  return createTokenAuthorizer({ verifier: verifierFromEnv(), isRevoked: revocationCheck(db) });
}

const revocationCheck = (db: Db) => (claims: TokenClaims) => isTokenRevoked(db, claims);

let db: Db | undefined;

/**
 * The caller behind an `Authorization` header checked in the handler, exactly as the authorizer would check it:
 * for routes that must also take anonymous calls and so have no API Gateway authorizer. A refusal is a 401.
 */
export async function callerFromBearer(authorization: string | undefined): Promise<Caller> {
  const authentication = await authenticateBearer(
    authorization,
    verifierFromEnv(),
    revocationCheck((db ??= createDb())),
  );
  if ('rejected' in authentication) throw unauthorized();
  return callerFromClaims(authentication.claims);
}
