import { Entity } from 'electrodb';
import { tenantIdAttribute } from './shared';
import type { Db } from '.';

/** A fixed-window counter per tenant and limit; each window is its own item, so no reset is ever needed. */
export const RateCounter = new Entity({
  model: { entity: 'rateCounter', service: 'pixelvault', version: '1' },
  attributes: {
    tenantId: tenantIdAttribute,
    name: { type: 'string', required: true, readOnly: true, validate: /^[a-z0-9][a-z0-9-]{0,62}$/ },
    // e.g. the minute bucket 2026-11-25T09:23
    window: { type: 'string', required: true, readOnly: true },
    count: { type: 'number', required: true, default: 0 },
    // Window end + 1 h, epoch seconds: DynamoDB TTL removes spent windows.
    ttl: { type: 'number', required: true },
  },
  indexes: {
    byWindow: {
      pk: { field: 'pk', composite: ['tenantId', 'name', 'window'] },
      sk: { field: 'sk', composite: [] },
    },
  },
});

export interface RateCounterKey {
  tenantId: string;
  name: string;
  window: string;
  ttl: number;
}

/** Adds one to the window's counter, creating it at 1, and returns the new count atomically. */
export async function incrementRateCounter(
  db: Db,
  { tenantId, name, window, ttl }: RateCounterKey,
): Promise<number> {
  const { data } = await db.entities.rateCounter
    .update({ tenantId, name, window })
    .add({ count: 1 })
    .set({ ttl })
    .go({ response: 'updated_new' });
  if (data.count === undefined) throw new Error('DynamoDB returned no count for the updated rate counter');
  return data.count;
}
