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
  // Both are attempted: the event lets the scheduler finish what the object removal could not.
  const [removed, published] = await Promise.allSettled([
    removeFileObjects(file),
    publishEvents([fileStateChanged(file, { from: file.state, to: 'deleted', at: now })]),
  ]);
  if (published.status === 'rejected') throw published.reason;
  if (removed.status === 'rejected') {
    logger.error('objects of a deleted file left for the scheduler', {
      tenantId: file.tenantId,
      fileId: file.fileId,
      error: removed.reason as Error,
    });
  }
  return { statusCode: 204 };
});
