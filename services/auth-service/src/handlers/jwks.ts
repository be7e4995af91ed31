import { httpHandler } from '@pixelvault/core';
import { signingKeys } from '../adapters/identity';

/** GET /v1/auth/.well-known/jwks.json: the public keys every authorizer verifies with (two during rotation). */
export const handler = httpHandler(async () => ({
  statusCode: 200,
  headers: { 'cache-control': 'public, max-age=300' },
  body: await signingKeys().publicJwks(),
}));
