import { callerOf, httpHandler } from '@pixelvault/core';
import { deleteProject } from '../adapters/saves';
import { projectOwnerOf } from '../domain/access';

/** DELETE /v1/projects/{id}: 204; its files' refCounts fall in the transactions that delete it. */
export const handler = httpHandler(async ({ event }) => {
  const caller = callerOf(event);
  const owner = projectOwnerOf(caller, 'write');
  await deleteProject({ tenantId: caller.tenantId, owner }, event.pathParameters?.id ?? '');
  return { statusCode: 204 };
});
