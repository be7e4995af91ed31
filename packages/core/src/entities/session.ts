import { randomBytes } from 'node:crypto';
import { forEachPage } from '../pages';
import { Entity, type EntityItem } from 'electrodb';
import type { Db } from '.';
import { createdAtAttribute, epochSeconds, ID_PATTERN, ISO_DATE_PATTERN, tenantIdAttribute } from './shared';

/** Ended and expired sessions stay this long after expiresAt so cleanup jobs can still read them. */
export const SESSION_TTL_GRACE_SECONDS = 7 * 24 * 60 * 60;

/** Partner user ids: printable ASCII without '#', which separates the parts of an owner. */
export const USER_ID_PATTERN = /^[\x21\x22\x24-\x7e]{1,128}$/;

export const userOwner = (userId: string) => `user#${userId}`;
export const sessionOwner = (sessionId: string) => `session#${sessionId}`;

/** A guest's or a partner's user's browser session; its owner string owns files and projects. */
export const Session = new Entity({
  model: { entity: 'session', service: 'pixelvault', version: '1' },
  attributes: {
    tenantId: tenantIdAttribute,
    sessionId: {
      type: 'string',
      required: true,
      readOnly: true,
      validate: ID_PATTERN,
      default: () => randomBytes(16).toString('base64url'),
    },
    kind: { type: ['guest', 'user'] as const, required: true, readOnly: true },
    userId: { type: 'string', readOnly: true, validate: USER_ID_PATTERN },
    // Derived on create from kind and userId; checking both here makes userId required for users only.
    owner: {
      type: 'string',
      readOnly: true,
      watch: ['kind', 'userId', 'sessionId'],
      set: (_owner, { kind, userId, sessionId }) => {
        if (kind === 'user' && userId === undefined) throw new Error('A user session needs a userId');
        if (kind === 'guest' && userId !== undefined) throw new Error('A guest session has no userId');
        return kind === 'user' ? userOwner(userId) : sessionOwner(sessionId);
      },
    },
    createdAt: createdAtAttribute,
    expiresAt: { type: 'string', required: true, validate: ISO_DATE_PATTERN },
    ttl: {
      type: 'number',
      watch: ['expiresAt'],
      set: (_ttl, { expiresAt }) =>
        expiresAt === undefined ? undefined : epochSeconds(expiresAt) + SESSION_TTL_GRACE_SECONDS,
    },
    endedAt: { type: 'string', validate: ISO_DATE_PATTERN },
    claimedBy: { type: 'string', validate: USER_ID_PATTERN },
  },
  indexes: {
    // Session ids are case-sensitive: ElectroDB lower-cases keys unless told not to.
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'sessionId'], casing: 'none' },
      sk: { field: 'sk', composite: [] },
    },
    // Sessions of a user, newest first: query with owner = userOwner(userId). Keyed by owner (always present),
    // as files and projects of an owner will be; the condition keeps guest sessions out of the index.
    byUser: {
      index: 'gsi1',
      condition: ({ kind }) => kind === 'user',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'owner'], casing: 'none' },
      sk: { field: 'gsi1sk', composite: ['createdAt'] },
    },
  },
});

export type SessionItem = EntityItem<typeof Session>;

/** A user's sessions (the byUser index), a page of at most 100 at a time. */
export async function forEachUserSessionPage(
  db: Db,
  { tenantId, userId }: { tenantId: string; userId: string },
  onPage: (sessions: SessionItem[]) => Promise<void>,
): Promise<void> {
  await forEachPage(
    (cursor) =>
      db.entities.session.query.byUser({ tenantId, owner: userOwner(userId) }).go({ cursor, limit: 100 }),
    onPage,
  );
}
