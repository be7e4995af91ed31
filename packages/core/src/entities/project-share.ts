import { createHash, randomBytes } from 'node:crypto';
import { Entity, type EntityItem } from 'electrodb';
import { OWNER_PATTERN } from './file';
import { createdAtAttribute, epochSeconds, ID_PATTERN, ISO_DATE_PATTERN, tenantIdAttribute } from './shared';

/** 32 random bytes: the share token the owner hands out; only its hash is stored. */
export const newShareToken = () => randomBytes(32).toString('base64url');
export const SHARE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The stored id of a share: a SHA-256 of its token, so the table never holds a usable token. */
export const shareIdOf = (shareToken: string) => createHash('sha256').update(shareToken).digest('base64url');

/** A link that lets any session of the tenant copy a project until it expires or its owner revokes it. */
export const ProjectShare = new Entity({
  model: { entity: 'projectShare', service: 'pixelvault', version: '1' },
  attributes: {
    tenantId: tenantIdAttribute,
    shareId: { type: 'string', required: true, readOnly: true, validate: /^[A-Za-z0-9_-]{43}$/ },
    projectId: { type: 'string', required: true, readOnly: true, validate: ID_PATTERN },
    owner: { type: 'string', required: true, readOnly: true, validate: OWNER_PATTERN },
    createdAt: createdAtAttribute,
    expiresAt: { type: 'string', required: true, readOnly: true, validate: ISO_DATE_PATTERN },
    revokedAt: { type: 'string', validate: ISO_DATE_PATTERN },
    // DynamoDB removes it a day after it expires; reads check expiresAt themselves.
    ttl: {
      type: 'number',
      watch: ['expiresAt'],
      set: (_ttl, { expiresAt }) => (expiresAt === undefined ? undefined : epochSeconds(expiresAt) + 86_400),
    },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'shareId'], casing: 'none' },
      sk: { field: 'sk', composite: [] },
    },
    // Shares of an owner, newest first (the owner's gsi1 partition): erasure finds a user's shares here.
    byOwner: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'owner'], casing: 'none' },
      sk: { field: 'gsi1sk', composite: ['createdAt'] },
    },
  },
});

export type ProjectShareItem = EntityItem<typeof ProjectShare>;
