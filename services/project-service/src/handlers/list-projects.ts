import { callerOf, httpHandler, parseListRequest } from '@pixelvault/core';
import { listOwnProjects } from '../adapters/projects';
import { projectOwnerOf } from '../domain/access';
import { projectSummary } from '../domain/project-view';

/** GET /v1/projects?limit&cursor: the caller's projects, newest first, without documents. */
export const handler = httpHandler(async ({ event }) => {
  const caller = callerOf(event);
  const owner = projectOwnerOf(caller, 'read');
  const page = await listOwnProjects(
    { tenantId: caller.tenantId, owner },
    parseListRequest(event.queryStringParameters),
  );
  return {
    statusCode: 200,
    headers: { 'cache-control': 'no-store' },
    body: { items: page.items.map(projectSummary), nextCursor: page.nextCursor },
  };
});
