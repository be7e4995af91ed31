import {
  ApiError,
  badRequest,
  callerOf,
  forEachUserSessionPage,
  httpHandler,
  isConditionalCheckFailed,
  requireScope,
  revokeSessions,
  USER_ID_PATTERN,
} from '@pixelvault/core';
import { identityDb } from '../adapters/identity';
import { enqueueWork } from '../adapters/work-queue';
import { erasureReport } from '../domain/erasure-report';

/**
 * POST /v1/auth/users/{userId}/erase (partner, users:erase) -> 202: every session of the user is revoked before
 * the answer (its tokens and upload links get 401 from then on), and everything of the user (sessions, projects,
 * shares, orders, files and their objects) is deleted by the scheduler's worker; GET the same path for the
 * report of counts. Asking again while it runs revokes again and changes nothing else; after it is done, it
 * erases again (what came since).
 */
export const handler = httpHandler(async ({ event }) => {
  const caller = callerOf(event);
  if (caller.kind !== 'partner') throw new ApiError(403, 'forbidden', 'Only partner tokens erase users');
  requireScope(caller, 'users:erase');
  const userId = event.pathParameters?.userId ?? '';
  if (!USER_ID_PATTERN.test(userId)) {
    const reason = 'must be printable ASCII without "#", 1-128 characters';
    throw badRequest(`Invalid path: userId: ${reason}`, [{ field: 'userId', reason }]);
  }
  const db = identityDb();
  const key = { tenantId: caller.tenantId, userId };
  const now = new Date().toISOString();
  // `running` first: from here on no session of the user can be created (create-session checks it in its
  // transaction), so the sessions listed below are all there will be, but for writes in flight, which the
  // worker revokes as it deletes them.
  // The new erasure as written, or undefined when one is already running.
  const started = await db.entities.erasure
    .put({ ...key, state: 'running', requestedAt: now })
    .where(({ state }, { eq, notExists }) => `${notExists(state)} OR ${eq(state, 'done')}`)
    .go()
    .then(
      ({ data }) => data,
      (error: unknown) => {
        if (isConditionalCheckFailed(error)) return undefined;
        throw error;
      },
    );
  await forEachUserSessionPage(db, key, (sessions) => revokeSessions(db, sessions, 'erasure'));
  if (started) await enqueueWork({ type: 'user-erasure', tenantId: caller.tenantId, userId, at: now });
  const erasure = started ?? (await db.entities.erasure.get(key).go({ consistent: true })).data!;
  return { statusCode: 202, body: erasureReport(erasure) };
});
