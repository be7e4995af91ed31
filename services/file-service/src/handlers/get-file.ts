import { callerOf, httpHandler, notFound } from '@pixelvault/core';
import { findOwnFile } from '../adapters/files';
import { fileScopeOf } from '../domain/access';
import { publicFile } from '../domain/file-view';

/** GET /v1/files/{id}: the caller's own file (an upload link's: one it registered); else 404, so ids reveal nothing. */
export const handler = httpHandler(async ({ event }) => {
  const caller = callerOf(event);
  const scope = fileScopeOf(caller, 'read');
  const file = await findOwnFile({ tenantId: caller.tenantId, ...scope }, event.pathParameters?.id ?? '');
  if (!file) throw notFound('File');
  return { statusCode: 200, headers: { 'cache-control': 'no-store' }, body: publicFile(file) };
});
