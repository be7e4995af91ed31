import { tenantSettings } from '@pixelvault/core';
import { uploadLimitsOf, type UploadLimits } from '../domain/limits';
import { filesDb } from './db';

/** A changed tenant limit reaches every container within this long; until then a tenant costs one read a minute. */
const CACHE_MS = 60_000;

const cache = new Map<string, { limits: UploadLimits; until: number }>();

/** The tenant's upload limits (defaults for what it does not set), cached per container. */
export async function tenantUploadLimits(tenantId: string, now = Date.now()): Promise<UploadLimits> {
  const cached = cache.get(tenantId);
  if (cached !== undefined && cached.until > now) return cached.limits;
  const limits = uploadLimitsOf(await tenantSettings(filesDb(), tenantId));
  cache.set(tenantId, { limits, until: now + CACHE_MS });
  return limits;
}
