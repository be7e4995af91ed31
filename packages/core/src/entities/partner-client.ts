import { Entity, type EntityItem } from 'electrodb';
import { conflict } from '../errors';
import { CLIENT_ID_PATTERN } from './client-id-claim';
import { createdAtAttribute, tenantIdAttribute, updatedAtAttribute } from './shared';
import type { Db } from '.';

/** A partner e-commerce system calling the APIs with client credentials. */
export const PartnerClient = new Entity({
  model: { entity: 'partnerClient', service: 'pixelvault', version: '1' },
  attributes: {
    tenantId: tenantIdAttribute,
    clientId: { type: 'string', required: true, readOnly: true, validate: CLIENT_ID_PATTERN },
    name: { type: 'string', required: true },
    // scrypt hash from auth/secrets; the prefix check stops a plain secret from ever being stored.
    secretHash: { type: 'string', required: true, validate: /^scrypt\$/ },
    scopes: {
      type: 'list',
      required: true,
      default: () => [],
      items: { type: 'string', validate: /^[a-z][a-z0-9:_-]{0,63}$/ },
    },
    disabled: { type: 'boolean', required: true, default: false },
    createdAt: createdAtAttribute,
    updatedAt: updatedAtAttribute,
  },
  indexes: {
    // The tenant's partition also lists its clients (sk), for administration.
    byTenant: {
      pk: { field: 'pk', composite: ['tenantId'] },
      sk: { field: 'sk', composite: ['clientId'] },
    },
    // The token endpoint receives only client_id.
    byClientId: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['clientId'] },
      sk: { field: 'gsi1sk', composite: [] },
    },
  },
});

export type PartnerClientItem = EntityItem<typeof PartnerClient>;
export type PublicPartnerClient = Omit<PartnerClientItem, 'secretHash'>;

export interface NewPartnerClient {
  tenantId: string;
  clientId: string;
  name: string;
  secretHash: string;
  scopes: string[];
  disabled?: boolean;
}

/**
 * Creates a partner client and claims its id across all tenants in one transaction.
 * Throws a 409 ApiError when any tenant already uses the client id.
 */
export async function createPartnerClient(db: Db, input: NewPartnerClient): Promise<void> {
  const { canceled, data } = await db.transaction
    .write(({ clientIdClaim, partnerClient }) => [
      clientIdClaim.create({ clientId: input.clientId, tenantId: input.tenantId }).commit(),
      partnerClient.create(input).commit(),
    ])
    .go();
  if (!canceled) return;
  if (data.some((result) => result.code === 'ConditionalCheckFailed')) {
    throw conflict(`clientId ${input.clientId} is already taken`, { field: 'clientId' });
  }
  throw new Error(
    `Creating partner client ${input.clientId} was cancelled: ${data.map((result) => result.code).join(', ')}`,
  );
}

/** The client with this id in whichever tenant owns it: one Query on gsi1 (eventually consistent). */
export async function findPartnerClient(db: Db, clientId: string): Promise<PartnerClientItem | undefined> {
  const { data } = await db.entities.partnerClient.query.byClientId({ clientId }).go({ limit: 1 });
  return data[0];
}

/** The client as any API may show it: never with its secret hash. */
export function publicPartnerClient(item: PartnerClientItem): PublicPartnerClient {
  const { secretHash: _secretHash, ...rest } = item;
  return rest;
}
