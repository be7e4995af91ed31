import { z } from 'zod';
import { ApiError, fieldProblems } from '@pixelvault/core';

export interface ClientCredentialsRequest {
  clientId: string;
  clientSecret: string;
  scope?: string;
}

const grant = z.object({
  grant_type: z.literal('client_credentials', { error: 'must be "client_credentials"' }),
  client_id: z.string().min(1).max(64).optional(),
  client_secret: z.string().min(1).max(256).optional(),
  scope: z.string().max(512).optional(),
});

/**
 * Reads an OAuth 2 client credentials request (RFC 6749 4.4): form-encoded or JSON body, with the client
 * authenticated by HTTP Basic or by `client_id`/`client_secret` in the body.
 */
export function parseClientCredentials(
  contentType: string | undefined,
  rawBody: string | null,
  authorization: string | undefined,
): ClientCredentialsRequest {
  const fields = parseBody(contentType, rawBody ?? '');
  const parsed = grant.safeParse(fields);
  if (!parsed.success) {
    const problems = fieldProblems(parsed.error);
    throw new ApiError(
      400,
      'invalid_request',
      `Invalid token request: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`,
      problems,
    );
  }
  const basic = basicCredentials(authorization);
  const clientId = basic?.clientId ?? parsed.data.client_id;
  const clientSecret = basic?.clientSecret ?? parsed.data.client_secret;
  if (!clientId || !clientSecret) {
    throw new ApiError(
      400,
      'invalid_request',
      'client_id and client_secret are required (body or HTTP Basic)',
      [{ field: clientId ? 'client_secret' : 'client_id', reason: 'required' }],
    );
  }
  return { clientId, clientSecret, scope: parsed.data.scope };
}

function parseBody(contentType: string | undefined, body: string): Record<string, unknown> {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(body));
  if (type === 'application/json') {
    try {
      const value: unknown = JSON.parse(body);
      if (value && typeof value === 'object' && !Array.isArray(value))
        return value as Record<string, unknown>;
    } catch {
      // Falls through to the same 400 as any other unreadable body.
    }
    throw new ApiError(400, 'invalid_json', 'Request body is not a JSON object');
  }
  throw new ApiError(
    415,
    'unsupported_media_type',
    'Content-Type must be application/x-www-form-urlencoded or application/json',
  );
}

function basicCredentials(
  authorization: string | undefined,
): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization?.trim() ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  // RFC 6749 2.3.1: both parts are form-urlencoded before being joined.
  return {
    clientId: decodeURIComponent(decoded.slice(0, colon)),
    clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}
