import { callerOf, httpHandler } from '@pixelvault/core';
import { createPendingFile } from '../adapters/files';
import { presignUpload } from '../adapters/storage';
import { fileOwnerOf } from '../domain/access';
import { publicFile } from '../domain/file-view';
import {
  pendingExpiry,
  registerFileBody,
  requireUploadSize,
  UPLOAD_URL_TTL_SECONDS,
} from '../domain/registration';

/**
 * POST /v1/files (session: files:write; upload link: files:upload): records the file `pending` and returns a
 * presigned PUT bound to its declared type, size and SHA-256. Single PUT only; multipart is not offered yet.
 */
export const handler = httpHandler(
  async ({ event, body }) => {
    const caller = callerOf(event);
    const owner = fileOwnerOf(caller, 'register');
    requireUploadSize(body.size);
    const now = new Date();
    const file = await createPendingFile({
      ...body,
      tenantId: caller.tenantId,
      owner,
      // A phone upload through a long-term link outlives the guest session that made the link.
      longTerm: caller.kind === 'upload' && caller.longTerm === true,
      expiresAt: pendingExpiry(now),
    });
    const upload = await presignUpload(
      { key: file.objectKey!, contentType: file.contentType, size: file.size, sha256: file.sha256 },
      UPLOAD_URL_TTL_SECONDS,
      now,
    );
    return {
      statusCode: 201,
      headers: { 'cache-control': 'no-store' },
      body: { file: publicFile(file), upload },
    };
  },
  { body: registerFileBody },
);
