import { Entity, type EntityItem } from 'electrodb';
import type { Db } from '.';
import { createdAtAttribute, tenantIdAttribute, updatedAtAttribute } from './shared';

/** A white-label shop. Its id starts every other item's primary key. */
export const Tenant = new Entity({
  model: { entity: 'tenant', service: 'pixelvault', version: '1' },
  attributes: {
    tenantId: tenantIdAttribute,
    name: { type: 'string', required: true },
    status: { type: ['active', 'suspended'] as const, required: true, default: 'active' },
    // Per-tenant limits; new ones get a default here so existing tenants need no migration.
    settings: {
      type: 'map',
      required: true,
      default: () => ({}),
      properties: {
        guestSessionsPerMinute: { type: 'number', required: true, default: 60 },
        // Absent: the file service's defaults (200 MiB; jpeg, png, webp, heic/heif, tiff).
        maxUploadBytes: { type: 'number' },
        uploadContentTypes: { type: 'list', items: { type: 'string' } },
        // Absent: the project service's defaults (guests 30 days, users 365 days after the last save).
        guestProjectRetentionDays: { type: 'number' },
        userProjectRetentionDays: { type: 'number' },
      },
    },
    createdAt: createdAtAttribute,
    updatedAt: updatedAtAttribute,
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId'] },
      sk: { field: 'sk', composite: [] },
    },
  },
});

export type TenantSettings = EntityItem<typeof Tenant>['settings'];

/** The tenant's settings (one GetItem projecting only them); undefined for an unknown tenant. */
export async function tenantSettings(db: Db, tenantId: string): Promise<TenantSettings | undefined> {
  const { data } = await db.entities.tenant.get({ tenantId }).go({ attributes: ['settings'] });
  return data?.settings;
}
