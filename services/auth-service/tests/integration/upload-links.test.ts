import {
  apiError,
  callApi,
  createTestTenant,
  guestSession,
  partnerToken,
  userSession,
  verifyWithPublishedKeys,
  type UploadLink,
} from '../../../../tests/helpers/identity';

const createLink = (token: string, body: unknown = {}) =>
  callApi('POST', '/v1/auth/upload-links', { token, body });

describe('POST /v1/auth/upload-links', () => {
  it('gives a guest a 30-minute upload-only link bound to its session, as URL and QR code', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const before = Date.now();

    // Act
    const response = await createLink(guest.accessToken);

    // Assert
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const link = (await response.json()) as UploadLink;
    expect(link).toEqual({
      token: expect.any(String),
      url: expect.any(String),
      qrSvg: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(Math.abs(Date.parse(link.expiresAt) - (before + 30 * 60_000))).toBeLessThan(60_000);
    const claims = await verifyWithPublishedKeys(link.token);
    expect(claims).toMatchObject({
      kind: 'upload',
      scope: 'files:upload',
      tid: tenant.tenantId,
      sub: `session#${guest.sessionId}`,
      owner: `session#${guest.sessionId}`,
      longTerm: false,
      sid: guest.sessionId,
    });
    expect(claims.exp! * 1000).toBe(Date.parse(link.expiresAt));
    // The token rides in the fragment only, which browsers never send to a server.
    const url = new URL(link.url);
    expect(new URLSearchParams(url.hash.slice(1)).get('token')).toBe(link.token);
    expect(link.url.split('#')[0]).not.toContain(link.token);
    expect(url.search).not.toContain(link.token);
    // An SVG QR code.
    expect(link.qrSvg.trimStart()).toMatch(/^<(svg|\?xml)/);
    expect(link.qrSvg).toContain('<path');
  });

  it('marks the link long-term when asked, for a user session bound to the user', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const user = await userSession(tenant, 'customer-9');

    // Act
    const response = await createLink(user.accessToken, { longTerm: true });

    // Assert
    expect(response.status).toBe(201);
    const link = (await response.json()) as UploadLink;
    await expect(verifyWithPublishedKeys(link.token)).resolves.toMatchObject({
      kind: 'upload',
      scope: 'files:upload',
      tid: tenant.tenantId,
      owner: 'user#customer-9',
      longTerm: true,
    });
  });

  it('refuses an upload-link token (upload routes only) with 403', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);
    const first = (await (await createLink(guest.accessToken)).json()) as UploadLink;

    // Act
    const response = await createLink(first.token);

    // Assert
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual(apiError('forbidden'));
  });

  it('refuses a partner token with 403', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const token = await partnerToken(tenant);

    // Act
    const response = await createLink(token);

    // Assert
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual(apiError('forbidden'));
  });

  it('refuses {longTerm:"yes"} with 400 naming longTerm', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const guest = await guestSession(tenant);

    // Act
    const response = await createLink(guest.accessToken, { longTerm: 'yes' });

    // Assert
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(
      apiError('invalid_request', [{ field: 'longTerm', reason: expect.any(String) }]),
    );
  });
});
