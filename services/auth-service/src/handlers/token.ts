import { ApiError, findPartnerClient, httpHandler, issueToken, verifySecretOrDummy } from '@pixelvault/core';
import { identityDb, signingKeys, tokenSettings } from '../adapters/identity';
import { parseClientCredentials } from '../domain/client-credentials';
import { grantedScopes, TOKEN_POLICY } from '../domain/token-policy';

const invalidClient = () => new ApiError(401, 'invalid_client', 'Client authentication failed');

/** POST /v1/auth/token: OAuth 2 client credentials for partner systems. */
export const handler = httpHandler(async ({ event }) => {
  const request = parseClientCredentials(
    event.headers['content-type'],
    event.body,
    event.headers.authorization,
  );
  const client = await findPartnerClient(identityDb(), request.clientId);
  // Unknown client and wrong secret cost one scrypt each and answer alike: nothing tells them apart.
  const secretMatches = await verifySecretOrDummy(request.clientSecret, client?.secretHash);
  if (!client || !secretMatches || client.disabled) throw invalidClient();
  const tenant = await identityDb().entities.tenant.get({ tenantId: client.tenantId }).go();
  if (tenant.data?.status !== 'active') throw invalidClient();

  const scopes = grantedScopes(client.scopes, request.scope);
  if (!scopes) {
    throw new ApiError(400, 'invalid_scope', 'The requested scope exceeds what this client may have', [
      { field: 'scope', reason: `allowed: ${client.scopes.join(' ')}` },
    ]);
  }
  const { ttlSeconds } = TOKEN_POLICY.partner;
  const { token } = await issueToken(signingKeys(), {
    ...tokenSettings(),
    sub: `client#${client.clientId}`,
    tid: client.tenantId,
    kind: 'partner',
    scope: scopes.join(' '),
    ttlSeconds,
  });
  return {
    statusCode: 200,
    headers: { 'cache-control': 'no-store' },
    body: { access_token: token, token_type: 'Bearer', expires_in: ttlSeconds, scope: scopes.join(' ') },
  };
});
