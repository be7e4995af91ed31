import { ApiError, callerOf, httpHandler, issueToken, requiredEnv } from '@pixelvault/core';
import QRCode from 'qrcode';
import { z } from 'zod';
import { signingKeys, tokenSettings } from '../adapters/identity';
import { TOKEN_POLICY } from '../domain/token-policy';
import { uploadLinkUrl } from '../domain/upload-link';

const body = z.object({ longTerm: z.boolean().optional() }).default({});

/**
 * POST /v1/auth/upload-links (session token): a 30-minute, upload-only token bound to the caller as owner and to
 * its session, the phone page URL carrying it, and that URL as a QR code SVG for the editor to show.
 */
export const handler = httpHandler(
  async ({ event, body: { longTerm } }) => {
    const caller = callerOf(event);
    if (caller.kind !== 'guest' && caller.kind !== 'user') {
      throw new ApiError(403, 'forbidden', 'Only session tokens can create upload links');
    }
    const owner = caller.sub as `session#${string}` | `user#${string}`;
    const { token, claims } = await issueToken(signingKeys(), {
      ...tokenSettings(),
      sub: owner,
      tid: caller.tenantId,
      kind: 'upload',
      scope: TOKEN_POLICY.upload.scopes.join(' '),
      ttlSeconds: TOKEN_POLICY.upload.ttlSeconds,
      owner,
      longTerm: longTerm ?? false,
      // Ending the session (logout, erasure) stops its upload links too.
      sessionId: caller.sessionId,
    });
    const url = uploadLinkUrl(requiredEnv('UPLOAD_PAGE_URL'), token);
    const qrSvg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return {
      statusCode: 201,
      headers: { 'cache-control': 'no-store' },
      body: { token, url, qrSvg, expiresAt: new Date(claims.exp * 1000).toISOString() },
    };
  },
  { body },
);
