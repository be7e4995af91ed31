import { callerOf, httpHandler, notFound } from '@pixelvault/core';
import { findOwnFile } from '../adapters/files';
import { completionPorts } from '../adapters/uploads';
import { fileScopeOf } from '../domain/access';
import { completeUpload, completeUploadBody } from '../domain/completion';
import { publicFile } from '../domain/file-view';

/**
 * POST /v1/files/{id}/complete: finishes a multipart upload (`{parts: [{partNumber, etag}]}`), or hints that a
 * single PUT is done. 202: processing follows; the file's state tells when it is `ready`.
 */
export const handler = httpHandler(
  async ({ event, body }) => {
    const caller = callerOf(event);
    const scope = fileScopeOf(caller, 'complete');
    const file = await findOwnFile({ tenantId: caller.tenantId, ...scope }, event.pathParameters?.id ?? '');
    if (!file) throw notFound('File');
    await completeUpload(file, body, completionPorts);
    return { statusCode: 202, headers: { 'cache-control': 'no-store' }, body: publicFile(file) };
  },
  { body: completeUploadBody },
);
