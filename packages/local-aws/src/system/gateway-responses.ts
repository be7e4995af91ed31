import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** API Gateway's own answers by status, read from the GatewayResponse resources every service deploys. */
export type GatewayResponses = ReadonlyMap<number, string>;

/**
 * Which Gateway Response stands for serverless-offline's refusals: 401 is the authorizer's (ours never
 * answers Deny, so no ACCESS_DENIED), 403 a missing or unknown API key on a private route, 413 a body over
 * API Gateway's 10 MB.
 */
const OFFLINE_REFUSALS: Record<string, number> = {
  UNAUTHORIZED: 401,
  INVALID_API_KEY: 403,
  REQUEST_TOO_LARGE: 413,
};

interface GatewayResponseResource {
  Type: string;
  Properties: { ResponseType: string; StatusCode?: string; ResponseTemplates?: Record<string, string> };
}

export function loadGatewayResponses(repoRoot: string): GatewayResponses {
  const file = path.join(repoRoot, 'services', 'gateway-responses.yml');
  const { Resources } = parse(readFileSync(file, 'utf8')) as {
    Resources: Record<string, GatewayResponseResource>;
  };
  const responses = new Map<number, string>();
  for (const { Type, Properties } of Object.values(Resources)) {
    const status = OFFLINE_REFUSALS[Properties.ResponseType];
    const body = Properties.ResponseTemplates?.['application/json'];
    if (Type === 'AWS::ApiGateway::GatewayResponse' && status && body) responses.set(status, body);
  }
  return responses;
}

/**
 * serverless-offline refuses in its own shapes: `{statusCode, error, message}` for the authorizer and for
 * bodies over 10 MB, `{message}` for API keys. API Gateway answers with the configured Gateway Response. Handler errors are
 * always `{error: {code, message}}`, so they never match.
 */
export function isOfflineRefusal(status: number, body: string): boolean {
  if (status !== 401 && status !== 403 && status !== 413) return false;
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const offlineKeys = new Set(['statusCode', 'error', 'message']);
    return (
      typeof parsed.message === 'string' &&
      typeof parsed.error !== 'object' &&
      Object.keys(parsed).every((key) => offlineKeys.has(key))
    );
  } catch {
    return false;
  }
}
