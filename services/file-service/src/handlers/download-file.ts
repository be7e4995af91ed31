import { callerOf, httpHandler, notFound } from '@pixelvault/core';
import { findOwnFile } from '../adapters/files';
import { presignDownload } from '../adapters/storage';
import { fileOwnerOf } from '../domain/access';
import { DOWNLOAD_URL_TTL_SECONDS, downloadTarget, parseVariant } from '../domain/download';

/**
 * GET /v1/files/{id}/download?variant=original|thumbnail|preview (session: files:read): a presigned GET of a
 * `ready` file's object, valid 5 minutes, that S3 serves with a safe Content-Disposition.
 */
export const handler = httpHandler(async ({ event }) => {
  const caller = callerOf(event);
  const owner = fileOwnerOf(caller, 'download');
  const variant = parseVariant(event.queryStringParameters);
  const file = await findOwnFile({ tenantId: caller.tenantId, owner }, event.pathParameters?.id ?? '');
  if (!file) throw notFound('File');
  const download = await presignDownload(downloadTarget(file, variant), DOWNLOAD_URL_TTL_SECONDS);
  return { statusCode: 200, headers: { 'cache-control': 'no-store' }, body: download };
});
