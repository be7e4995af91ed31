import { Entity } from 'electrodb';
import { epochSeconds, ID_PATTERN, ISO_DATE_PATTERN, tenantIdAttribute } from './shared';
import type { Db } from '.';

/** A token revoked before its exp; DynamoDB TTL removes the entry once the token could not verify anyway. */
export const RevokedToken = new Entity({
  model: { entity: 'revokedToken', service: 'pixelvault', version: '1' },
  attributes: {
    tenantId: tenantIdAttribute,
    jti: { type: 'string', required: true, readOnly: true, validate: ID_PATTERN },
    // The token's exp.
    expiresAt: { type: 'string', required: true, readOnly: true, validate: ISO_DATE_PATTERN },
    ttl: {
      type: 'number',
      watch: ['expiresAt'],
      set: (_ttl, { expiresAt }) => (expiresAt === undefined ? undefined : epochSeconds(expiresAt)),
    },
    reason: { type: ['logout', 'erasure', 'admin'] as const, required: true, readOnly: true },
  },
  indexes: {
    // jti values are case-sensitive: ElectroDB lower-cases keys unless told not to.
    byJti: {
      pk: { field: 'pk', composite: ['tenantId', 'jti'], casing: 'none' },
      sk: { field: 'sk', composite: [] },
    },
  },
});

/** Runs on every authorized request: one GetItem projecting only the key, no item body. */
export async function isTokenRevoked(db: Db, key: { tenantId: string; jti: string }): Promise<boolean> {
  const { data } = await db.entities.revokedToken.get(key).go({ attributes: ['jti'] });
  return data !== null;
}
