import { createDb, tenantSettings, type Db } from '@pixelvault/core';
import { uploadLimitsOf, type UploadLimits } from '../domain/limits';

/** A changed tenant limit reaches every container within this long; until then a tenant costs one read a minute. */
const CACHE_MS = 60_000;

let db: Db | undefined;
const tenantsDb = (): Db => (db ??= createDb());

const cache = new Map<string, { limits: UploadLimits; until: number }>();

/** The tenant's upload limits (defaults for what it does not set), cached per container. */
export async function tenantUploadLimits(tenantId: string, now = Date.now()): Promise<UploadLimits> {
  const cached = cache.get(tenantId);
  if (cached !== undefined && cached.until > now) return cached.limits;
  const limits = uploadLimitsOf(await tenantSettings(tenantsDb(), tenantId));
  cache.set(tenantId, { limits, until: now + CACHE_MS });
  return limits;
}
