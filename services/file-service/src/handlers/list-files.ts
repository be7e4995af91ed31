import { callerOf, httpHandler, parseListRequest } from '@pixelvault/core';
import { listOwnFiles } from '../adapters/files';
import { fileOwnerOf } from '../domain/access';
import { publicFile } from '../domain/file-view';

/** GET /v1/files?limit&cursor: the caller's files, newest first, with an opaque cursor to the next page. */
export const handler = httpHandler(async ({ event }) => {
  const caller = callerOf(event);
  const owner = fileOwnerOf(caller, 'list');
  const page = await listOwnFiles(
    { tenantId: caller.tenantId, owner },
    parseListRequest(event.queryStringParameters),
  );
  return {
    statusCode: 200,
    headers: { 'cache-control': 'no-store' },
    body: { items: page.items.map(publicFile), nextCursor: page.nextCursor },
  };
});
