import { Entity } from 'electrodb';
import { createdAtAttribute } from './shared';

/** `[a-z0-9][a-z0-9-]{2,62}`: client ids are global, so they carry no tenant prefix. */
export const CLIENT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,62}$/;

/**
 * Uniqueness guard for partner client ids. A GSI cannot enforce uniqueness, so every PartnerClient is created in
 * one transaction with this item, whose key is the client id alone: the one primary key without the tenant.
 */
export const ClientIdClaim = new Entity({
  model: { entity: 'clientIdClaim', service: 'pixelvault', version: '1' },
  attributes: {
    clientId: { type: 'string', required: true, readOnly: true, validate: CLIENT_ID_PATTERN },
    tenantId: { type: 'string', required: true, readOnly: true },
    createdAt: createdAtAttribute,
  },
  indexes: {
    byClientId: {
      pk: { field: 'pk', composite: ['clientId'] },
      sk: { field: 'sk', composite: [] },
    },
  },
});
