import { callerOf, httpHandler, notFound } from '@pixelvault/core';
import { revokeShare } from '../adapters/projects';
import { projectOwnerOf } from '../domain/access';

/** DELETE /v1/projects/{id}/shares/{shareToken}: the token copies nothing from now on. */
export const handler = httpHandler(async ({ event }) => {
  const caller = callerOf(event);
  const owner = projectOwnerOf(caller, 'write');
  const revoked = await revokeShare(
    { tenantId: caller.tenantId, owner },
    event.pathParameters?.id ?? '',
    event.pathParameters?.shareToken ?? '',
  );
  if (!revoked) throw notFound('Share');
  return { statusCode: 204 };
});
