import {
  ApiError,
  callerOf,
  httpHandler,
  isConditionalCheckFailed,
  notFound,
  requireScope,
  USER_ID_PATTERN,
} from '@pixelvault/core';
import { z } from 'zod';
import { identityDb } from '../adapters/identity';
import { enqueueWork } from '../adapters/work-queue';

const body = z.object({
  userId: z.string().regex(USER_ID_PATTERN, 'must be printable ASCII without "#", 1-128 characters'),
});

/**
 * POST /v1/auth/sessions/{sessionId}/claim (partner, sessions:write): the guest's files and projects move to the
 * user. Recorded here, carried out by the scheduler's worker; claiming again for the same user is a no-op 202.
 */
export const handler = httpHandler(
  async ({ event, body: { userId } }) => {
    const caller = callerOf(event);
    if (caller.kind !== 'partner') throw new ApiError(403, 'forbidden', 'Only partner tokens claim sessions');
    requireScope(caller, 'sessions:write');
    const sessionId = event.pathParameters?.sessionId ?? '';
    const db = identityDb();
    const { data: session } = await db.entities.session.get({ tenantId: caller.tenantId, sessionId }).go();
    if (!session || session.kind !== 'guest') throw notFound('Session');
    // After logout its unsaved files are on their way to deletion: there is nothing safe left to hand over.
    if (session.endedAt !== undefined) {
      throw new ApiError(409, 'session_ended', 'This guest session has ended; it can no longer be claimed');
    }
    if (session.claimedBy !== undefined && session.claimedBy !== userId) {
      throw new ApiError(409, 'conflict', 'This session was already claimed by another user');
    }
    if (session.claimedBy === undefined) {
      await db.entities.session
        .patch({ tenantId: caller.tenantId, sessionId })
        .set({ claimedBy: userId })
        .where(({ claimedBy }, { notExists }) => notExists(claimedBy))
        .go()
        .catch((error: unknown) => {
          if (isConditionalCheckFailed(error)) {
            throw new ApiError(409, 'conflict', 'This session was already claimed by another user');
          }
          throw error;
        });
    }
    await enqueueWork({
      type: 'ownership-transfer',
      tenantId: caller.tenantId,
      fromOwner: `session#${sessionId}`,
      toOwner: `user#${userId}`,
      at: new Date().toISOString(),
    });
    return { statusCode: 202, body: { sessionId, userId, status: 'accepted' } };
  },
  { body },
);
