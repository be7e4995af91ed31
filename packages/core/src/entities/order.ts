import { createHash } from 'node:crypto';
import { Entity, type EntityItem } from 'electrodb';
import { expiryPartition, OWNER_PATTERN } from './file';
import {
  createdAtAttribute,
  ID_PATTERN,
  ISO_DATE_PATTERN,
  tenantIdAttribute,
  updatedAtAttribute,
} from './shared';

/** A partner's own order number: printable ASCII, 1-128 characters. */
export const EXTERNAL_ORDER_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** An order's id: 32 base64url characters (see orderIdOf). */
export const ORDER_ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;

/**
 * An order's id follows from the tenant's external order id: creating the same order twice collides on the
 * key, which makes POST /v1/orders idempotent with one conditional write and no lookup index.
 */
export const orderIdOf = (tenantId: string, externalOrderId: string) =>
  createHash('sha256').update(`${tenantId}\n${externalOrderId}`).digest('base64url').slice(0, 32);

/** Where an order keeps the document of each frozen project version (it outlives the project). */
export const orderDocumentKey = (
  order: { tenantId: string; owner: string; orderId: string },
  project: { projectId: string; version: number },
) =>
  `t/${order.tenantId}/o/${order.owner}/orders/${order.orderId}/${project.projectId}.${project.version}.json`;

/**
 * A partner's order: the projects it froze (version, files, a copy of the document) and the files it pins
 * (each file's `pinCount`) until `retainUntil`. `pinnedCount` of `fileIds` (in order) are pinned; `pinning`
 * until all are.
 */
export const Order = new Entity({
  model: { entity: 'order', service: 'pixelvault', version: '1' },
  attributes: {
    tenantId: tenantIdAttribute,
    orderId: { type: 'string', required: true, readOnly: true, validate: ORDER_ID_PATTERN },
    externalOrderId: { type: 'string', required: true, readOnly: true, validate: EXTERNAL_ORDER_ID_PATTERN },
    // The partner client that placed it, and a hash of its request: a replay must match it (else 409).
    clientId: { type: 'string', required: true, readOnly: true },
    requestHash: { type: 'string', required: true, readOnly: true },
    owner: { type: 'string', required: true, readOnly: true, validate: OWNER_PATTERN },
    state: { type: ['pinning', 'placed'] as const, required: true },
    projects: {
      type: 'list',
      required: true,
      readOnly: true,
      items: {
        type: 'map',
        properties: {
          projectId: { type: 'string', required: true, validate: ID_PATTERN },
          version: { type: 'number', required: true },
          title: { type: 'string', required: true },
          productType: { type: 'string', required: true },
          fileIds: { type: 'list', required: true, items: { type: 'string' } },
          documentKey: { type: 'string', required: true },
        },
      },
    },
    fileIds: {
      type: 'list',
      required: true,
      readOnly: true,
      items: { type: 'string', validate: ID_PATTERN },
    },
    pinnedCount: { type: 'number', required: true, default: 0 },
    retainUntil: { type: 'string', required: true, readOnly: true, validate: ISO_DATE_PATTERN },
    // `<hour>#<shard>` of retainUntil: the scheduler unpins orders whose retention ended.
    retainPartition: { type: 'string', required: true, readOnly: true, hidden: true },
    createdAt: createdAtAttribute,
    updatedAt: updatedAtAttribute,
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'orderId'], casing: 'none' },
      sk: { field: 'sk', composite: [] },
    },
    // Orders of an owner, newest first: the gsi1 partition the owner's files, projects and sessions share
    // (ElectroDB's entity prefix in gsi1sk keeps a Query to orders only). Erasure finds a user's orders here.
    byOwner: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'owner'], casing: 'none' },
      sk: { field: 'gsi1sk', composite: ['createdAt'] },
    },
    byRetention: {
      index: 'expiry',
      pk: { field: 'gsi3pk', composite: ['retainPartition'], casing: 'none' },
      sk: { field: 'gsi3sk', composite: ['retainUntil'] },
    },
  },
});

export const orderRetentionFields = (orderId: string, retainUntil: string) => ({
  retainUntil,
  retainPartition: expiryPartition(retainUntil, orderId),
});

export type OrderItem = EntityItem<typeof Order>;
