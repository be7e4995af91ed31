import {
  ApiError,
  callerFromBearer,
  httpHandler,
  incrementRateCounter,
  issueToken,
  notFound,
  requireScope,
  TENANT_ID_PATTERN,
  unauthorized,
  USER_ID_PATTERN,
  type Caller,
} from '@pixelvault/core';
import { z } from 'zod';
import { createSession, identityDb, signingKeys, tokenSettings } from '../adapters/identity';
import { minuteWindow } from '../domain/rate-limit';
import { TOKEN_POLICY } from '../domain/token-policy';

const body = z.object({
  tenantId: z.string().regex(TENANT_ID_PATTERN, 'must be a tenant id').optional(),
  userId: z
    .string()
    .regex(USER_ID_PATTERN, 'must be printable ASCII without "#", 1-128 characters')
    .optional(),
});

/** The partner behind an optional Bearer token: this route is public for guests, so no API Gateway authorizer. */
async function partnerOf(authorization: string | undefined): Promise<Caller | undefined> {
  if (!authorization) return undefined;
  const caller = await callerFromBearer(authorization);
  if (caller.kind !== 'partner')
    throw new ApiError(403, 'forbidden', 'Only partner tokens create user sessions');
  requireScope(caller, 'sessions:write');
  return caller;
}

/**
 * POST /v1/auth/sessions: `{tenantId}` without a token -> a guest session (rate limited per tenant);
 * a partner token with `{userId}` -> a session for the partner's logged-in customer.
 */
export const handler = httpHandler(
  async ({ event, body: { tenantId: askedTenant, userId } }) => {
    const partner = await partnerOf(event.headers.authorization);
    if (!partner && userId !== undefined) throw unauthorized('A user session needs a partner token');
    if (partner && userId === undefined) {
      throw new ApiError(400, 'invalid_request', 'userId is required with a partner token', [
        { field: 'userId', reason: 'required' },
      ]);
    }
    if (!partner && askedTenant === undefined) {
      throw new ApiError(400, 'invalid_request', 'tenantId is required', [
        { field: 'tenantId', reason: 'required' },
      ]);
    }
    // A partner acts in its own tenant only; naming another one reveals nothing about it.
    if (partner && askedTenant !== undefined && askedTenant !== partner.tenantId) throw notFound('Tenant');
    const tenantId = partner?.tenantId ?? askedTenant!;

    const db = identityDb();
    const { data: tenant } = await db.entities.tenant.get({ tenantId }).go();
    if (tenant?.status !== 'active') throw notFound('Tenant');

    const now = new Date();
    if (!partner) {
      const { window, ttl, retryAfterSeconds } = minuteWindow(now);
      const count = await incrementRateCounter(db, { tenantId, name: 'guest-sessions', window, ttl });
      const limit = tenant.settings?.guestSessionsPerMinute ?? 60;
      if (count > limit) {
        throw new ApiError(429, 'rate_limited', `At most ${limit} guest sessions a minute for this tenant`, {
          retryAfterSeconds,
        });
      }
    }

    const kind = partner ? 'user' : 'guest';
    const policy = TOKEN_POLICY[kind];
    const sessionId = crypto.randomUUID();
    const { token, claims } = await issueToken(
      signingKeys(),
      {
        ...tokenSettings(),
        sub: partner ? `user#${userId}` : `session#${sessionId}`,
        tid: tenantId,
        kind,
        scope: policy.scopes.join(' '),
        ttlSeconds: policy.ttlSeconds,
        sessionId,
      },
      now,
    );
    const expiresAt = new Date(claims.exp * 1000).toISOString();
    if (!(await createSession({ tenantId, sessionId, kind, userId, expiresAt }))) {
      throw new ApiError(
        409,
        'erasure_running',
        'This user is being erased; try again when the erasure is done',
        [{ field: 'userId', reason: 'an erasure of this user is running' }],
      );
    }
    return {
      statusCode: 201,
      headers: { 'cache-control': 'no-store' },
      body: { sessionId, accessToken: token, expiresAt },
    };
  },
  { body },
);
