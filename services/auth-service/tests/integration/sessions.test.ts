import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  apiError,
  attackerKey,
  bearer,
  callApi,
  createTestTenant,
  guestSession,
  isRevoked,
  partnerApiKeyHeader,
  partnerToken,
  postJson,
  sessionItem,
  sessionsOfTenant,
  signWith,
  takeCleanupWork,
  uploadLink,
  userSession,
  verifyWithPublishedKeys,
} from '../../../../tests/helpers/identity';
import { newUpload } from '../../../../tests/helpers/files';

const HOUR_MS = 3600_000;

/** `expiresAt` (ISO) lies within a minute of `now + ttlMs`. */
function expectExpiry(expiresAt: string, ttlMs: number, now = Date.now()) {
  expect(expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  expect(Math.abs(Date.parse(expiresAt) - (now + ttlMs))).toBeLessThan(60_000);
}

/** Waits into a fresh minute when the current one is about to end: the guest rate limit counts per minute. */
async function awayFromMinuteEnd(marginMs = 8_000) {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

describe('POST /v1/auth/sessions (guest)', () => {
  it('creates a 6 h guest session for {tenantId}: token, item and expiry agree', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const before = Date.now();

    // Act
    const response = await postJson('/v1/auth/sessions', { tenantId: tenant.tenantId });

    // Assert
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { sessionId: string; accessToken: string; expiresAt: string };
    expect(body).toEqual({
      sessionId: expect.any(String),
      accessToken: expect.any(String),
      expiresAt: expect.any(String),
    });
    expectExpiry(body.expiresAt, 6 * HOUR_MS, before);
    const claims = await verifyWithPublishedKeys(body.accessToken);
    expect(claims).toMatchObject({
      sub: `session#${body.sessionId}`,
      tid: tenant.tenantId,
      kind: 'guest',
      sid: body.sessionId,
    });
    expect(claims.exp! * 1000).toBe(Date.parse(body.expiresAt));
    expect(await sessionItem(tenant.tenantId, body.sessionId)).toMatchObject({
      kind: 'guest',
      owner: `session#${body.sessionId}`,
      expiresAt: body.expiresAt,
    });
  });

  it('answers an unknown tenant with 404 and creates nothing', async () => {
    // Arrange
    const tenantId = `t-missing-${Date.now()}`;

    // Act
    const response = await postJson('/v1/auth/sessions', { tenantId });

    // Assert
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual(apiError('not_found'));
    expect(await sessionsOfTenant(tenantId)).toEqual([]);
  });

  it('refuses a body without tenantId with 400 naming tenantId', async () => {
    // Act
    const response = await postJson('/v1/auth/sessions', {});

    // Assert
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(
      apiError('invalid_request', [{ field: 'tenantId', reason: 'required' }]),
    );
  });

  it('refuses a userId without a partner token with 401 and creates nothing', async () => {
    // Arrange
    const tenant = await createTestTenant();

    // Act
    const response = await postJson('/v1/auth/sessions', { tenantId: tenant.tenantId, userId: 'customer-1' });

    // Assert
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(apiError('unauthorized'));
    expect(await sessionsOfTenant(tenant.tenantId)).toEqual([]);
  });

  it('refuses a body over 64 KiB with 413 and creates nothing', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const body = JSON.stringify({ tenantId: tenant.tenantId, padding: 'x'.repeat(64 * 1024) });

    // Act
    const response = await postJson('/v1/auth/sessions', body);

    // Assert
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual(apiError('payload_too_large', { limit: 65536 }));
    expect(await sessionsOfTenant(tenant.tenantId)).toEqual([]);
  });

  it('refuses malformed JSON with 400 invalid_json and creates nothing', async () => {
    // Arrange
    const tenant = await createTestTenant();

    // Act
    const response = await postJson('/v1/auth/sessions', `{"tenantId":"${tenant.tenantId}"`);

    // Assert
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(apiError('invalid_json'));
    expect(await sessionsOfTenant(tenant.tenantId)).toEqual([]);
  });

  it('limits guest sessions per tenant and minute: 429 with Retry-After, other tenants unaffected', async () => {
    // Arrange: a tenant allowed 3 a minute has used them all
    const limited = await createTestTenant({ guestSessionsPerMinute: 3 });
    const other = await createTestTenant({ guestSessionsPerMinute: 3 });
    await awayFromMinuteEnd();
    for (let i = 0; i < 3; i += 1) await guestSession(limited);

    // Act
    const fourth = await postJson('/v1/auth/sessions', { tenantId: limited.tenantId });
    const otherTenant = await postJson('/v1/auth/sessions', { tenantId: other.tenantId });

    // Assert
    expect(fourth.status).toBe(429);
    const retryAfter = Number(fourth.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await fourth.json()).toEqual(apiError('rate_limited', { retryAfterSeconds: retryAfter }));
    expect(otherTenant.status).toBe(201);
    expect(await sessionsOfTenant(limited.tenantId)).toHaveLength(3);
  });
});

describe('POST /v1/auth/sessions (user, with a partner token)', () => {
  it("creates a session for the partner's user: sub user#<userId>, kind user", async () => {
    // Arrange
    const tenant = await createTestTenant();
    const token = await partnerToken(tenant);
    const before = Date.now();

    // Act
    const response = await postJson('/v1/auth/sessions', { userId: 'customer-42' }, bearer(token));

    // Assert
    expect(response.status).toBe(201);
    const body = (await response.json()) as { sessionId: string; accessToken: string; expiresAt: string };
    expect(body).toEqual({
      sessionId: expect.any(String),
      accessToken: expect.any(String),
      expiresAt: expect.any(String),
    });
    // TOKEN_POLICY.user: 12 h.
    expectExpiry(body.expiresAt, 12 * HOUR_MS, before);
    await expect(verifyWithPublishedKeys(body.accessToken)).resolves.toMatchObject({
      sub: 'user#customer-42',
      tid: tenant.tenantId,
      kind: 'user',
      sid: body.sessionId,
    });
    expect(await sessionItem(tenant.tenantId, body.sessionId)).toMatchObject({
      kind: 'user',
      userId: 'customer-42',
      owner: 'user#customer-42',
    });
  });

  it('refuses a partner token without sessions:write with 403 insufficient_scope', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const token = await partnerToken(tenant, 'orders:read');

    // Act
    const response = await postJson('/v1/auth/sessions', { userId: 'customer-1' }, bearer(token));

    // Assert
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual(apiError('insufficient_scope', { required: 'sessions:write' }));
    expect(await sessionsOfTenant(tenant.tenantId)).toEqual([]);
  });

  it('answers a partner naming another tenant with 404, creating nothing in either', async () => {
    // Arrange
    const tenantA = await createTestTenant();
    const tenantB = await createTestTenant();
    const token = await partnerToken(tenantA);

    // Act
    const response = await postJson(
      '/v1/auth/sessions',
      { tenantId: tenantB.tenantId, userId: 'customer-1' },
      bearer(token),
    );

    // Assert
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual(apiError('not_found'));
    expect(await sessionsOfTenant(tenantA.tenantId)).toEqual([]);
    expect(await sessionsOfTenant(tenantB.tenantId)).toEqual([]);
  });

  it('refuses a guest session token in place of a partner token with 403', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);

    // Act
    const response = await postJson('/v1/auth/sessions', { userId: 'customer-1' }, bearer(guest.accessToken));

    // Assert
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual(apiError('forbidden'));
    expect((await sessionsOfTenant(tenant.tenantId)).map((session) => session.sessionId)).toEqual([
      guest.sessionId,
    ]);
  });

  it('refuses a forged partner token (same claims and kid, our own key) with 401', async () => {
    // Arrange: a real partner token's claims and header kid, signed by a key the system never published
    const tenant = await createTestTenant();
    const real = await partnerToken(tenant);
    const { privateKey } = await attackerKey();
    const forged = await signWith(privateKey, decodeProtectedHeader(real).kid!, decodeJwt(real));

    // Act
    const response = await postJson('/v1/auth/sessions', { userId: 'customer-1' }, bearer(forged));

    // Assert
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(apiError('unauthorized'));
    expect(await sessionsOfTenant(tenant.tenantId)).toEqual([]);
  });
});

describe('DELETE /v1/auth/sessions/current (logout)', () => {
  it('revokes the token everywhere the authorizer runs; other sessions of the tenant keep working', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const session = await guestSession(tenant);
    const sibling = await guestSession(tenant);

    // Act
    const logout = await callApi('DELETE', '/v1/auth/sessions/current', { token: session.accessToken });

    // Assert
    expect(logout.status).toBe(204);
    expect(await logout.text()).toBe('');
    const uploadAfter = await callApi('POST', '/v1/auth/upload-links', {
      token: session.accessToken,
      body: {},
    });
    expect(uploadAfter.status).toBe(401);
    const logoutAgain = await callApi('DELETE', '/v1/auth/sessions/current', { token: session.accessToken });
    expect(logoutAgain.status).toBe(401);
    const siblingUpload = await callApi('POST', '/v1/auth/upload-links', {
      token: sibling.accessToken,
      body: {},
    });
    expect(siblingUpload.status).toBe(201);
    expect((await sessionItem(tenant.tenantId, session.sessionId))?.endedAt).toEqual(expect.any(String));
    expect((await sessionItem(tenant.tenantId, sibling.sessionId))?.endedAt).toBeUndefined();
    // The guest's unsaved files go to the cleanup worker: exactly one message, taken off the shared queue.
    const work = await takeCleanupWork(tenant.tenantId, 1, { settleMs: 1500 });
    expect(work).toEqual([
      {
        type: 'session-ended',
        tenantId: tenant.tenantId,
        sessionId: session.sessionId,
        at: expect.any(String),
      },
    ]);
  });

  it("stops the session's upload links with it, not those of the user's other session", async () => {
    // Arrange
    const tenant = await createTestTenant();
    const userId = `customer-${Date.now()}`;
    const session = await userSession(tenant, userId);
    const otherSession = await userSession(tenant, userId);
    const link = await uploadLink(session.accessToken);
    const otherLink = await uploadLink(otherSession.accessToken);

    // Act
    const logout = await callApi('DELETE', '/v1/auth/sessions/current', { token: session.accessToken });

    // Assert
    expect(logout.status).toBe(204);
    const uploads = await Promise.all(
      [link, otherLink].map(({ token }) =>
        callApi('POST', '/v1/files', { token, body: newUpload().registration }),
      ),
    );
    expect(uploads.map((response) => response.status)).toEqual([401, 201]);
    const other = await callApi('GET', '/v1/files', { token: otherSession.accessToken });
    expect(other.status).toBe(200);
    expect([await isRevoked(session.accessToken), await isRevoked(link.token)]).toEqual([true, true]);
  });

  it('refuses an upload-link token with 403 and revokes nothing', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const session = await guestSession(tenant);
    const link = await callApi('POST', '/v1/auth/upload-links', { token: session.accessToken, body: {} });
    const { token: uploadToken } = (await link.json()) as { token: string };

    // Act
    const response = await callApi('DELETE', '/v1/auth/sessions/current', { token: uploadToken });

    // Assert
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual(apiError('forbidden'));
    const sessionStillWorks = await callApi('POST', '/v1/auth/upload-links', {
      token: session.accessToken,
      body: {},
    });
    expect(sessionStillWorks.status).toBe(201);
    expect((await sessionItem(tenant.tenantId, session.sessionId))?.endedAt).toBeUndefined();
  });
});

describe('POST /v1/auth/sessions/{sessionId}/claim', () => {
  const claim = (sessionId: string, token: string, userId: string) =>
    callApi('POST', `/v1/auth/sessions/${sessionId}/claim`, {
      token,
      body: { userId },
      headers: partnerApiKeyHeader(),
    });

  it("hands a guest's session to a user: 202, recorded, ownership-transfer queued", async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const token = await partnerToken(tenant, 'sessions:write');

    // Act
    const response = await claim(guest.sessionId, token, 'customer-7');

    // Assert
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      sessionId: guest.sessionId,
      userId: 'customer-7',
      status: 'accepted',
    });
    expect((await sessionItem(tenant.tenantId, guest.sessionId))?.claimedBy).toBe('customer-7');
    const work = await takeCleanupWork(tenant.tenantId, 1, { settleMs: 1500 });
    expect(work).toEqual([
      {
        type: 'ownership-transfer',
        tenantId: tenant.tenantId,
        fromOwner: `session#${guest.sessionId}`,
        toOwner: 'user#customer-7',
        at: expect.any(String),
      },
    ]);
  });

  it('accepts a second claim for the same user (202) and refuses another user (409)', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const token = await partnerToken(tenant);
    expect((await claim(guest.sessionId, token, 'customer-7')).status).toBe(202);

    // Act
    const again = await claim(guest.sessionId, token, 'customer-7');
    const another = await claim(guest.sessionId, token, 'customer-8');

    // Assert
    expect(again.status).toBe(202);
    expect(another.status).toBe(409);
    expect(await another.json()).toEqual(apiError('conflict'));
    expect((await sessionItem(tenant.tenantId, guest.sessionId))?.claimedBy).toBe('customer-7');
    // One transfer per accepted claim (the worker's transfer is idempotent); none for the refused one.
    const work = await takeCleanupWork(tenant.tenantId, 2, { settleMs: 1500 });
    expect(work.map(({ type, toOwner }) => ({ type, toOwner }))).toEqual([
      { type: 'ownership-transfer', toOwner: 'user#customer-7' },
      { type: 'ownership-transfer', toOwner: 'user#customer-7' },
    ]);
  });

  it('refuses to claim a guest session that has logged out (409 session_ended), queueing nothing', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const token = await partnerToken(tenant);
    const logout = await callApi('DELETE', '/v1/auth/sessions/current', { token: guest.accessToken });
    expect(logout.status).toBe(204);
    await takeCleanupWork(tenant.tenantId, 1, { settleMs: 1500 });

    // Act
    const response = await claim(guest.sessionId, token, 'customer-7');

    // Assert
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual(apiError('session_ended'));
    expect((await sessionItem(tenant.tenantId, guest.sessionId))?.claimedBy).toBeUndefined();
    expect(await takeCleanupWork(tenant.tenantId, 0, { settleMs: 1500 })).toEqual([]);
  });

  it("answers a partner claiming another tenant's session with 404 and leaves it unclaimed", async () => {
    // Arrange
    const tenantA = await createTestTenant();
    const tenantB = await createTestTenant();
    const guestOfB = await guestSession(tenantB);
    const tokenOfA = await partnerToken(tenantA);

    // Act
    const response = await claim(guestOfB.sessionId, tokenOfA, 'customer-7');

    // Assert
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual(apiError('not_found'));
    expect((await sessionItem(tenantB.tenantId, guestOfB.sessionId))?.claimedBy).toBeUndefined();
  });

  it('refuses a guest token with 403 and leaves the session unclaimed', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);

    // Act
    const response = await claim(guest.sessionId, guest.accessToken, 'customer-7');

    // Assert
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual(apiError('forbidden'));
    expect((await sessionItem(tenant.tenantId, guest.sessionId))?.claimedBy).toBeUndefined();
  });

  it('refuses a partner token without sessions:write with 403 insufficient_scope', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const token = await partnerToken(tenant, 'orders:read');

    // Act
    const response = await claim(guest.sessionId, token, 'customer-7');

    // Assert
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual(apiError('insufficient_scope', { required: 'sessions:write' }));
    expect((await sessionItem(tenant.tenantId, guest.sessionId))?.claimedBy).toBeUndefined();
  });
});
