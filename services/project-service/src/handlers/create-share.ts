import { callerOf, httpHandler, newShareToken, notFound, requiredEnv } from '@pixelvault/core';
import { findOwnProject, insertShare } from '../adapters/projects';
import { projectOwnerOf } from '../domain/access';
import { createShareBody, shareExpiry, shareUrl } from '../domain/sharing';

/**
 * POST /v1/projects/{id}/shares `{expiresInDays?}` (1-30, default 7): a share token anyone of the tenant may
 * copy the project with until it expires or is revoked. The token is 256 random bits; only its hash is stored.
 */
export const handler = httpHandler(
  async ({ event, body }) => {
    const caller = callerOf(event);
    const owner = projectOwnerOf(caller, 'write');
    const key = { tenantId: caller.tenantId, owner };
    const project = await findOwnProject(key, event.pathParameters?.id ?? '');
    if (!project) throw notFound('Project');
    const shareToken = newShareToken();
    const expiresAt = shareExpiry(new Date(), body.expiresInDays);
    await insertShare(key, { projectId: project.projectId, shareToken, expiresAt });
    return {
      statusCode: 201,
      headers: { 'cache-control': 'no-store' },
      body: { shareToken, url: shareUrl(requiredEnv('SHARE_PAGE_URL'), shareToken), expiresAt },
    };
  },
  { body: createShareBody },
);
