import { Entity, type EntityItem } from 'electrodb';
import { USER_ID_PATTERN } from './session';
import { ISO_DATE_PATTERN, tenantIdAttribute, updatedAtAttribute } from './shared';

/** What an erasure removed (and kept), counted as it goes: a redelivered step adds only what it removes. */
export const ERASURE_COUNTS = [
  'sessions',
  'projects',
  'shares',
  // The partner's orders of the user, with their frozen documents (the partner asked for the erasure).
  'orders',
  'files',
  'objects',
  // Files an order still pins: the partner's order keeps them until its retainUntil.
  'filesKeptPinned',
] as const;
export type ErasureCount = (typeof ERASURE_COUNTS)[number];

/** How long the report of a finished erasure stays readable (it holds counts only, nothing of the user). */
export const ERASURE_REPORT_TTL_SECONDS = 30 * 24 * 60 * 60;

/** A partner's request to erase one of its users, and its report. */
export const Erasure = new Entity({
  model: { entity: 'erasure', service: 'pixelvault', version: '1' },
  attributes: {
    tenantId: tenantIdAttribute,
    userId: { type: 'string', required: true, readOnly: true, validate: USER_ID_PATTERN },
    state: { type: ['running', 'done'] as const, required: true },
    requestedAt: { type: 'string', required: true, validate: ISO_DATE_PATTERN },
    finishedAt: { type: 'string', validate: ISO_DATE_PATTERN },
    sessions: { type: 'number', required: true, default: 0 },
    projects: { type: 'number', required: true, default: 0 },
    shares: { type: 'number', required: true, default: 0 },
    orders: { type: 'number', required: true, default: 0 },
    files: { type: 'number', required: true, default: 0 },
    objects: { type: 'number', required: true, default: 0 },
    filesKeptPinned: { type: 'number', required: true, default: 0 },
    ttl: { type: 'number' },
    updatedAt: updatedAtAttribute,
  },
  indexes: {
    byUser: {
      pk: { field: 'pk', composite: ['tenantId', 'userId'], casing: 'none' },
      sk: { field: 'sk', composite: [] },
    },
  },
});

export type ErasureItem = EntityItem<typeof Erasure>;
