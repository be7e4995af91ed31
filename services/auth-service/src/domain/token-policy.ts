import { UPLOAD_LINK_TTL_SECONDS } from '@pixelvault/core';

/** How long each kind of token lives and what it may do. */
export const TOKEN_POLICY = {
  guest: { ttlSeconds: 6 * 3600, scopes: ['files:read', 'files:write', 'projects:read', 'projects:write'] },
  user: { ttlSeconds: 12 * 3600, scopes: ['files:read', 'files:write', 'projects:read', 'projects:write'] },
  // A QR code on a phone: upload only, short-lived, bound to the session or user that made it.
  upload: { ttlSeconds: UPLOAD_LINK_TTL_SECONDS, scopes: ['files:upload'] },
  partner: { ttlSeconds: 3600, scopes: [] as string[] },
} as const;

/** Scopes a partner client may be granted; each client gets a subset. */
export const PARTNER_SCOPES = ['sessions:write', 'orders:read', 'orders:write', 'users:erase'] as const;

/** Partners ask for a subset of their client's scopes (OAuth 2 `scope`), or get all of them. */
export function grantedScopes(
  clientScopes: readonly string[],
  requested: string | undefined,
): string[] | undefined {
  if (requested === undefined || requested.trim() === '') return [...clientScopes];
  const asked = [...new Set(requested.split(/\s+/).filter(Boolean))];
  return asked.every((scope) => clientScopes.includes(scope)) ? asked : undefined;
}
