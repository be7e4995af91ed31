import { ApiError, requireScope, type Caller, type Owner } from '@pixelvault/core';

/** What a caller wants to do with files: register (and upload), read one, list, download or delete them. */
export type FileAccess = 'register' | 'read' | 'list' | 'download' | 'delete';

// Upload links may register and read metadata; these need the owner's own session.
const SESSION_ONLY: ReadonlySet<FileAccess> = new Set(['list', 'download', 'delete']);
const WRITES: ReadonlySet<FileAccess> = new Set(['register', 'delete']);

/**
 * Whose files the caller acts on, or 403. Sessions act for themselves (`sub`); an upload link acts for the owner
 * it was made for and may register and read that owner's files, never list, download or delete them (a QR code on
 * a phone must not reveal or destroy a session's library). Partner systems own no files.
 */
export function fileOwnerOf(caller: Caller, access: FileAccess): Owner {
  if (caller.kind === 'upload') {
    if (SESSION_ONLY.has(access))
      throw new ApiError(403, 'forbidden', `Upload-link tokens cannot ${access} files`);
    requireScope(caller, 'files:upload');
    // callerOf refuses an upload token without an owner.
    return caller.owner!;
  }
  requireScope(caller, WRITES.has(access) ? 'files:write' : 'files:read');
  if (caller.kind !== 'guest' && caller.kind !== 'user') {
    throw new ApiError(403, 'forbidden', 'Only session and upload-link tokens own files');
  }
  return caller.sub as Owner;
}
