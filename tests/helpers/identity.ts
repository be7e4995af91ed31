import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, seedTenant } from '@pixelvault/local-aws';
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

export async function partnerToken(tenant: TestTenant, scope?: string): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: tenant.clientId,
    client_secret: tenant.clientSecret,
  });
  if (scope) form.set('scope', scope);
  const response = await fetch(`${testSystem().url}/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
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
