import { httpHandler } from '@pixelvault/core';
import { openApiDocument } from '../openapi/document';

/** GET /v1/openapi.json: the OpenAPI 3.1 description of every public API (no token needed). */
export const handler = httpHandler(async () => ({
  statusCode: 200,
  headers: { 'cache-control': 'public, max-age=300' },
  body: openApiDocument,
}));
