import { ApiError, callerOf, httpHandler, isConditionalCheckFailed, revokeSessions } from '@pixelvault/core';
import { identityDb } from '../adapters/identity';
import { enqueueWork } from '../adapters/work-queue';

/**
 * DELETE /v1/auth/sessions/current: revokes the session, and so every token of it (this one and its upload
 * links), until they expire (every authorizer checks); ends the session, and for a guest hands its unsaved
 * files to the cleanup worker.
 */
export const handler = httpHandler(async ({ event }) => {
  const caller = callerOf(event);
  if ((caller.kind !== 'guest' && caller.kind !== 'user') || !caller.sessionId) {
    throw new ApiError(403, 'forbidden', 'Only session tokens can log out');
  }
  const db = identityDb();
  const now = new Date().toISOString();
  // A session token's exp is its session's end.
  const session = {
    tenantId: caller.tenantId,
    sessionId: caller.sessionId,
    expiresAt: new Date(caller.exp * 1000).toISOString(),
  };
  await revokeSessions(db, [session], 'logout');
  await db.entities.session
    .patch({ tenantId: caller.tenantId, sessionId: caller.sessionId })
    .set({ endedAt: now })
    .go()
    .catch((error: unknown) => {
      // A session item that has already been removed has nothing left to end.
      if (!isConditionalCheckFailed(error)) throw error;
    });
  if (caller.kind === 'guest') {
    await enqueueWork({
      type: 'session-ended',
      tenantId: caller.tenantId,
      sessionId: caller.sessionId,
      at: now,
    });
  }
  return { statusCode: 204 };
});
