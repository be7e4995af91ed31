import { callerOf, httpHandler, notFound } from '@pixelvault/core';
import { findOwnFile } from '../adapters/files';
import { fileOwnerOf } from '../domain/access';
import { publicFile } from '../domain/file-view';

/** GET /v1/files/{id}: the caller's own file; anyone else's is a 404, so ids reveal nothing. */
export const handler = httpHandler(async ({ event }) => {
  const caller = callerOf(event);
  const owner = fileOwnerOf(caller, 'read');
  const file = await findOwnFile({ tenantId: caller.tenantId, owner }, event.pathParameters?.id ?? '');
  if (!file) throw notFound('File');
  return { statusCode: 200, headers: { 'cache-control': 'no-store' }, body: publicFile(file) };
});
