import { ApiError, callerOf, httpHandler, notFound, requireScope } from '@pixelvault/core';
import { identityDb } from '../adapters/identity';
import { erasureReport } from '../domain/erasure-report';

/** GET /v1/auth/users/{userId}/erase (partner, users:erase): the erasure's state and what it removed so far. */
export const handler = httpHandler(async ({ event }) => {
  const caller = callerOf(event);
  if (caller.kind !== 'partner') throw new ApiError(403, 'forbidden', 'Only partner tokens read erasures');
  requireScope(caller, 'users:erase');
  const userId = event.pathParameters?.userId ?? '';
  const { data } = await identityDb().entities.erasure.get({ tenantId: caller.tenantId, userId }).go();
  if (!data) throw notFound('Erasure');
  return { statusCode: 200, body: erasureReport(data) };
});
