import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
// Deep import, as local-aws's seed does: core's index also loads Middy, which only ships ESM entries.
import { createDb, revocationKeyOf, type Db } from '@pixelvault/core/src/entities';
import { LOCAL_CREDENTIALS, seedTenant } from '@pixelvault/local-aws';
import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { takeMessages } from './queues';
import { testSystem } from './system';

export interface TestTenant {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

const suffix = () => randomBytes(5).toString('hex');

/** A fresh tenant with one partner client holding every partner scope (or those given), in the test system. */
export async function createTestTenant(
  options: { scopes?: string[]; guestSessionsPerMinute?: number } = {},
): Promise<TestTenant> {
  const system = testSystem();
  const client = new DynamoDBClient({
    endpoint: system.endpoints.dynamodb,
    region: system.region,
    credentials: LOCAL_CREDENTIALS,
  });
  const tenant = {
    tenantId: `t-${suffix()}`,
    clientId: `partner-${suffix()}`,
    clientSecret: `secret-${suffix()}`,
  };
  await seedTenant(client, system.outputs.TableName!, {
    ...tenant,
    name: 'Test shop',
    scopes: options.scopes ?? ['sessions:write', 'orders:read', 'orders:write', 'users:erase'],
    guestSessionsPerMinute: options.guestSessionsPerMinute,
  });
  client.destroy();
  return tenant;
}

/** POSTs JSON (or a raw string) to the local origin. */
export async function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${testSystem().url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Partner routes are private in API Gateway: partners send their API key with every request. */
export const partnerApiKeyHeader = () => ({ 'x-api-key': testSystem().params.partnerApiKey! });

export async function partnerToken(tenant: TestTenant, scope?: string): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: tenant.clientId,
    client_secret: tenant.clientSecret,
  });
  if (scope) form.set('scope', scope);
  const response = await fetch(`${testSystem().url}/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...partnerApiKeyHeader() },
    body: form.toString(),
  });
  if (response.status !== 200) throw new Error(`token: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export async function guestSession(tenant: Pick<TestTenant, 'tenantId'>) {
  const response = await postJson('/v1/auth/sessions', { tenantId: tenant.tenantId });
  if (response.status !== 201) throw new Error(`session: ${response.status} ${await response.text()}`);
  return (await response.json()) as { sessionId: string; accessToken: string; expiresAt: string };
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens, sessions and upload links through the HTTP API; the system's own state read back for assertions.

/** `{ error: { code, message } }` as every Pixelvault API answers a refusal; `details` only when given. */
export function apiError(code: string, details?: unknown) {
  return {
    error: {
      code,
      message: expect.any(String),
      ...(details === undefined ? {} : { details }),
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Any method against the local origin, with an optional Bearer token and JSON body. */
export async function callApi(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const { token, body, headers = {} } = options;
  return fetch(`${testSystem().url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : bearer(token)),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

/** A session for the partner's customer `userId` (POST /v1/auth/sessions with a partner token). */
export async function userSession(tenant: TestTenant, userId: string, token?: string) {
  const response = await postJson(
    '/v1/auth/sessions',
    { userId },
    bearer(token ?? (await partnerToken(tenant))),
  );
  if (response.status !== 201) throw new Error(`user session: ${response.status} ${await response.text()}`);
  return (await response.json()) as { sessionId: string; accessToken: string; expiresAt: string };
}

export interface UploadLink {
  token: string;
  url: string;
  qrSvg: string;
  expiresAt: string;
}

export async function uploadLink(sessionToken: string, body: unknown = {}): Promise<UploadLink> {
  const response = await callApi('POST', '/v1/auth/upload-links', { token: sessionToken, body });
  if (response.status !== 201) throw new Error(`upload link: ${response.status} ${await response.text()}`);
  return (await response.json()) as UploadLink;
}

/** The issuer and audience every token of the test system carries (stage `test`). */
export const tokenIssuer = () => `${testSystem().url}/v1/auth`;
export const TOKEN_AUDIENCE = 'pixelvault-test';

let remoteJwks: ReturnType<typeof createRemoteJWKSet> | undefined;

/** Verifies a token as any outside party would: against the published JWKS, our issuer and audience. */
export async function verifyWithPublishedKeys(token: string): Promise<JWTPayload> {
  remoteJwks ??= createRemoteJWKSet(new URL(`${testSystem().url}/v1/auth/.well-known/jwks.json`));
  const { payload } = await jwtVerify(token, remoteJwks, {
    issuer: tokenIssuer(),
    audience: TOKEN_AUDIENCE,
    algorithms: ['ES256'],
  });
  return payload;
}

export async function publishedJwks(): Promise<{ keys: JWK[] }> {
  const response = await fetch(`${testSystem().url}/v1/auth/.well-known/jwks.json`);
  if (response.status !== 200) throw new Error(`jwks: ${response.status} ${await response.text()}`);
  return (await response.json()) as { keys: JWK[] };
}

/** An ES256 key pair of our own, as an attacker would make one; `kid` is its thumbprint (never published). */
export async function attackerKey() {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  return { privateKey, kid };
}

/** Claims shaped exactly like the system's, for tokens we sign ourselves; `overrides` replace any of them. */
export function forgedClaims(overrides: Record<string, unknown> = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: tokenIssuer(),
    aud: TOKEN_AUDIENCE,
    sub: `session#${randomUUID()}`,
    tid: `t-${suffix()}`,
    scope: 'files:read files:write projects:read projects:write',
    kind: 'guest',
    iat: now,
    nbf: now,
    exp: now + 3600,
    jti: randomUUID(),
    ...overrides,
  };
}

/** Signs `claims` with `key` (ES256 unless told), naming whatever `kid` we like in the header. */
export async function signWith(key: CryptoKey, kid: string, claims: JWTPayload, alg = 'ES256') {
  return new SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(key);
}

let db: Db | undefined;

/** The system's table through core's entities: for reading back what the API did (or did not) write. */
export function systemDb(): Db {
  const system = testSystem();
  db ??= createDb({
    client: new DynamoDBClient({
      endpoint: system.endpoints.dynamodb,
      region: system.region,
      credentials: LOCAL_CREDENTIALS,
    }),
    table: system.outputs.TableName!,
  });
  return db;
}

/** Every session item of a tenant (a filtered Scan: tests only, the tables are small). */
export async function sessionsOfTenant(tenantId: string) {
  const { data } = await systemDb()
    .entities.session.scan.where(({ tenantId: tid }, { eq }) => eq(tid, tenantId))
    .go({ pages: 'all' });
  return data;
}

export async function sessionItem(tenantId: string, sessionId: string) {
  const { data } = await systemDb().entities.session.get({ tenantId, sessionId }).go();
  return data;
}

/** Whether logout (or anything else) recorded this token, or its session, as revoked. */
export async function isRevoked(token: string): Promise<boolean> {
  const claims = decodeJwt(token) as { tid: string; jti: string; sid?: string };
  const { data } = await systemDb().entities.revocation.get(revocationKeyOf(claims)).go();
  return data !== null;
}

export interface CleanupWork {
  type: string;
  tenantId: string;
  sessionId?: string;
  fromOwner?: string;
  toOwner?: string;
  at: string;
}

/**
 * Takes (receives and deletes) the cleanup queue's messages of one tenant (of one `type`, if given) until `count` have arrived or
 * `timeoutMs` passed, then waits `settleMs` more for any extra one. Other tests share the queue: messages of
 * other tenants are made visible again at once, and each tenant is unique to one test.
 */
export async function takeCleanupWork(
  tenantId: string,
  count: number,
  { timeoutMs = 10_000, settleMs = 0, type }: { timeoutMs?: number; settleMs?: number; type?: string } = {},
): Promise<CleanupWork[]> {
  const wanted = (work: CleanupWork | null) =>
    work?.tenantId === tenantId && (type === undefined || work.type === type);
  return takeMessages(
    testSystem().outputs.CleanupQueueUrl!,
    (body) => (wanted(body as CleanupWork | null) ? (body as CleanupWork) : undefined),
    { count, timeoutMs, settleMs },
  );
}
