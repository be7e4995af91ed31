import { scrypt } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import {
  apiError,
  createTestTenant,
  partnerApiKeyHeader,
  publishedJwks,
  verifyWithPublishedKeys,
  type TestTenant,
} from '../../../../tests/helpers/identity';
import { testSystem } from '../../../../tests/helpers/system';

const FORM = 'application/x-www-form-urlencoded';
const ALL_SCOPES = 'sessions:write orders:read orders:write users:erase';

/** The token route is a partner route: API Gateway wants the partners' API key before the handler runs. */
function tokenRequest(body: string, headers: Record<string, string> = { 'content-type': FORM }) {
  return fetch(`${testSystem().url}/v1/auth/token`, {
    method: 'POST',
    headers: { ...partnerApiKeyHeader(), ...headers },
    body,
  });
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const credentials = (tenant: TestTenant, extra: Record<string, string> = {}) =>
  form({
    grant_type: 'client_credentials',
    client_id: tenant.clientId,
    client_secret: tenant.clientSecret,
    ...extra,
  });
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** One scrypt with the stored secrets' parameters (N=2^15, r=8, p=1), measured here as a yardstick. */
function scryptOnce(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) =>
    scrypt('secret', Buffer.alloc(16), 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (error) =>
      error ? reject(error) : resolve(performance.now() - started),
    ),
  );
}

async function timed(
  request: () => Promise<Response>,
): Promise<{ ms: number; status: number; body: string }> {
  const started = performance.now();
  const response = await request();
  const body = await response.text();
  return { ms: performance.now() - started, status: response.status, body };
}

describe('POST /v1/auth/token (client credentials)', () => {
  it('issues a partner token for credentials in a form body, verifiable with the published JWKS', async () => {
    // Arrange
    const tenant = await createTestTenant();

    // Act
    const response = await tokenRequest(credentials(tenant));

    // Assert
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: ALL_SCOPES,
    });
    const token = body.access_token as string;
    const claims = await verifyWithPublishedKeys(token);
    expect(claims).toMatchObject({
      sub: `client#${tenant.clientId}`,
      tid: tenant.tenantId,
      kind: 'partner',
      scope: ALL_SCOPES,
    });
    expect(claims.exp! - claims.iat!).toBe(3600);
    const { keys } = await publishedJwks();
    expect(keys.map((key) => key.kid)).toContain(decodeProtectedHeader(token).kid);
    // Public members only: a JWKS that leaked `d` would hand out the signing key.
    for (const key of keys) expect(key).not.toHaveProperty('d');
  });

  it('accepts the client in HTTP Basic and grants only the scope asked for', async () => {
    // Arrange
    const tenant = await createTestTenant();

    // Act
    const response = await tokenRequest(form({ grant_type: 'client_credentials', scope: 'orders:read' }), {
      'content-type': FORM,
      authorization: basic(tenant.clientId, tenant.clientSecret),
    });

    // Assert
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string };
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'orders:read',
    });
    await expect(verifyWithPublishedKeys(body.access_token)).resolves.toMatchObject({
      sub: `client#${tenant.clientId}`,
      tid: tenant.tenantId,
      kind: 'partner',
      scope: 'orders:read',
    });
  });

  it('accepts a JSON body too', async () => {
    // Arrange
    const tenant = await createTestTenant();

    // Act
    const response = await tokenRequest(
      JSON.stringify({
        grant_type: 'client_credentials',
        client_id: tenant.clientId,
        client_secret: tenant.clientSecret,
      }),
      { 'content-type': 'application/json' },
    );

    // Assert
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ token_type: 'Bearer', scope: ALL_SCOPES });
  });

  it('answers a wrong secret and an unknown client alike: 401 invalid_client, identical bodies', async () => {
    // Arrange
    const tenant = await createTestTenant();

    // Act
    const wrongSecret = await tokenRequest(credentials(tenant, { client_secret: 'not-the-secret' }));
    const unknownClient = await tokenRequest(credentials(tenant, { client_id: `${tenant.clientId}-nobody` }));

    // Assert
    expect(wrongSecret.status).toBe(401);
    expect(unknownClient.status).toBe(401);
    const wrongBody = await wrongSecret.json();
    expect(wrongBody).toEqual(apiError('invalid_client'));
    expect(await unknownClient.json()).toEqual(wrongBody);
  });

  it('spends the scrypt time on an unknown client as on a wrong secret (no timing oracle)', async () => {
    // Arrange: warm the function, and measure one scrypt here as the floor both answers must reach
    const tenant = await createTestTenant();
    const wrong = () => tokenRequest(credentials(tenant, { client_secret: 'not-the-secret' }));
    const unknown = () => tokenRequest(credentials(tenant, { client_id: `${tenant.clientId}-nobody` }));
    await timed(wrong);
    await timed(unknown);
    const scryptMs = median(await Promise.all([scryptOnce(), scryptOnce(), scryptOnce()]));

    // Act: interleaved, so a slow moment of the machine hits both series alike
    const wrongMs: number[] = [];
    const unknownMs: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      const a = await timed(wrong);
      const b = await timed(unknown);
      expect([a.status, b.status]).toEqual([401, 401]);
      wrongMs.push(a.ms);
      unknownMs.push(b.ms);
    }

    // Assert: loose bounds, only a skipped scrypt (an order of magnitude) can break them
    const ratio = median(unknownMs) / median(wrongMs);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
    expect(median(wrongMs)).toBeGreaterThanOrEqual(scryptMs * 0.5);
    expect(median(unknownMs)).toBeGreaterThanOrEqual(scryptMs * 0.5);
  });

  it('refuses a scope the client does not hold with 400 invalid_scope', async () => {
    // Arrange
    const tenant = await createTestTenant({ scopes: ['orders:read'] });

    // Act
    const response = await tokenRequest(credentials(tenant, { scope: 'orders:read sessions:write' }));

    // Assert
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(
      apiError('invalid_scope', [{ field: 'scope', reason: expect.stringContaining('orders:read') }]),
    );
  });

  it.each([
    ['missing', {}],
    ['another grant', { grant_type: 'password' }],
  ])('refuses a %s grant_type with 400 naming grant_type', async (_case, grant: Record<string, string>) => {
    // Arrange
    const tenant = await createTestTenant();

    // Act
    const response = await tokenRequest(
      form({ ...grant, client_id: tenant.clientId, client_secret: tenant.clientSecret }),
    );

    // Assert
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body).toEqual(apiError('invalid_request', [{ field: 'grant_type', reason: expect.any(String) }]));
    expect(body.error.message).toContain('grant_type');
  });

  it('refuses text/plain with 415', async () => {
    // Arrange
    const tenant = await createTestTenant();

    // Act
    const response = await tokenRequest(credentials(tenant), { 'content-type': 'text/plain' });

    // Assert
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual(apiError('unsupported_media_type'));
  });

  it('refuses malformed JSON with 400 invalid_json', async () => {
    // Arrange
    const tenant = await createTestTenant();

    // Act
    const response = await tokenRequest(
      `{"grant_type":"client_credentials","client_id":"${tenant.clientId}"`,
      {
        'content-type': 'application/json',
      },
    );

    // Assert
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(apiError('invalid_json'));
  });
});
