import {
  ApiError,
  callerOf,
  fileStateChanged,
  httpHandler,
  logger,
  notFound,
  publishEvents,
} from '@pixelvault/core';
import { deleteOwnFile } from '../adapters/files';
import { removeFileObjects } from '../adapters/storage';
import { fileOwnerOf } from '../domain/access';

const REFUSALS = {
  pinned: () => new ApiError(409, 'file_pinned', 'An order pins this file'),
  in_use: () => new ApiError(409, 'file_in_use', 'A project uses this file'),
};

/**
 * DELETE /v1/files/{id} (session: files:write): marks the file `deleted` unless an order pins it or a project
 * uses it, then removes its objects and tells the scheduler. A processor still working on the file finds it
 * deleted when it finishes and removes the variants it wrote.
 */
export const handler = httpHandler(async ({ event }) => {
  const caller = callerOf(event);
  const owner = fileOwnerOf(caller, 'delete');
  const now = new Date();
  const deletion = await deleteOwnFile(
    { tenantId: caller.tenantId, owner },
    event.pathParameters?.id ?? '',
    now,
  );
  if ('refused' in deletion) {
    throw deletion.refused === 'not_found' ? notFound('File') : REFUSALS[deletion.refused]();
  }
  const file = deletion.deleted;
  // The file is deleted whatever follows: a 5xx now would make the client's retry a 404. Both are attempted;
  // the tombstone's TTL removal reaches the table stream, from which the scheduler can finish the job.
  const [removed, published] = await Promise.allSettled([
    removeFileObjects(file),
    publishEvents([fileStateChanged(file, { from: file.state, to: 'deleted', at: now })]),
  ]);
  for (const [outcome, what] of [
    [removed, 'objects of a deleted file left for the scheduler'],
    [published, 'deletion event not published'],
  ] as const) {
    if (outcome.status === 'rejected') {
      logger.error(what, { tenantId: file.tenantId, fileId: file.fileId, error: outcome.reason as Error });
    }
  }
  return { statusCode: 204 };
});
