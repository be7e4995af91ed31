import { Entity } from 'electrodb';
import { MAX_CLOCK_TOLERANCE_SECONDS, UPLOAD_LINK_TTL_SECONDS, type TokenClaims } from '../auth/claims';
import { epochSeconds, ID_PATTERN, ISO_DATE_PATTERN, tenantIdAttribute } from './shared';
import type { Db } from '.';

/**
 * Tokens stopped before their exp: every token of a session (`revokes: 'session'`, keyed by the `sid` claim: the
 * session token and the upload links made with it), or one token that belongs to no session (`'token'`, by
 * `jti`). Each token has exactly one key it can be revoked under, so the authorizer needs one GetItem.
 * DynamoDB TTL removes an entry once no token it stops could verify anyway.
 */
export const Revocation = new Entity({
  model: { entity: 'revocation', service: 'pixelvault', version: '1' },
  attributes: {
    tenantId: tenantIdAttribute,
    revokes: { type: ['session', 'token'] as const, required: true, readOnly: true },
    // The session id (`sid`) or the token's `jti`.
    id: { type: 'string', required: true, readOnly: true, validate: ID_PATTERN },
    // The last moment a token it stops could still pass the verifier.
    expiresAt: { type: 'string', required: true, readOnly: true, validate: ISO_DATE_PATTERN },
    ttl: {
      type: 'number',
      watch: ['expiresAt'],
      set: (_ttl, { expiresAt }) => (expiresAt === undefined ? undefined : epochSeconds(expiresAt)),
    },
    reason: { type: ['logout', 'erasure', 'admin'] as const, required: true, readOnly: true },
  },
  indexes: {
    // Session ids and jti values are case-sensitive: ElectroDB lower-cases keys unless told not to.
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'revokes', 'id'], casing: 'none' },
      sk: { field: 'sk', composite: [] },
    },
  },
});

export type RevocationReason = 'logout' | 'erasure' | 'admin';

/** The one key a token can be revoked under: its session, or itself when it has none (partner tokens). */
export const revocationKeyOf = (claims: Pick<TokenClaims, 'tid' | 'jti' | 'sid'>) =>
  claims.sid === undefined
    ? { tenantId: claims.tid, revokes: 'token' as const, id: claims.jti }
    : { tenantId: claims.tid, revokes: 'session' as const, id: claims.sid };

/** Runs on every authorized request: one GetItem projecting only the key, no item body. */
export async function isTokenRevoked(
  db: Db,
  claims: Pick<TokenClaims, 'tid' | 'jti' | 'sid'>,
): Promise<boolean> {
  const { data } = await db.entities.revocation.get(revocationKeyOf(claims)).go({ attributes: ['id'] });
  return data !== null;
}

/**
 * A session's tokens verify until its end (the session token's exp), an upload link made at the last moment
 * 30 minutes longer, each with the verifier's clock tolerance on top.
 */
export const sessionTokensVerifyUntil = (sessionExpiresAt: string) =>
  new Date(
    Date.parse(sessionExpiresAt) + (UPLOAD_LINK_TTL_SECONDS + MAX_CLOCK_TOLERANCE_SECONDS) * 1000,
  ).toISOString();

/**
 * Stops every token of these sessions at once (BatchWriteItem, 25 a request; a repeat changes nothing).
 * Sessions whose tokens can no longer verify need no entry.
 */
export async function revokeSessions(
  db: Db,
  sessions: ReadonlyArray<{ tenantId: string; sessionId: string; expiresAt: string }>,
  reason: RevocationReason,
  now = new Date(),
): Promise<void> {
  const live = sessions.filter(
    ({ expiresAt }) => Date.parse(sessionTokensVerifyUntil(expiresAt)) > now.getTime(),
  );
  if (live.length === 0) return;
  const { unprocessed } = await db.entities.revocation
    .put(
      live.map(({ tenantId, sessionId, expiresAt }) => ({
        tenantId,
        revokes: 'session' as const,
        id: sessionId,
        expiresAt: sessionTokensVerifyUntil(expiresAt),
        reason,
      })),
    )
    .go();
  if (unprocessed.length > 0) throw new Error(`${unprocessed.length} session revocations not written`);
}
