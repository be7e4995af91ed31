import { ApiError, requireScope, type Caller, type FileItem, type Owner } from '@pixelvault/core';

/** What a caller wants to do with files: register (and upload), complete an upload, read, list, download, delete. */
export type FileAccess = 'register' | 'complete' | 'read' | 'list' | 'download' | 'delete';

// Upload links may register, complete and read what they uploaded; these need the owner's own session.
const SESSION_ONLY: ReadonlySet<FileAccess> = new Set(['list', 'download', 'delete']);
const WRITES: ReadonlySet<FileAccess> = new Set(['register', 'complete', 'delete']);

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

/** The files a caller may see: an owner's, and of those an upload link only the ones it registered. */
export interface FileScope {
  owner: Owner;
  /** Upload-link tokens: their jti, stored on each file they register. */
  uploadLinkId?: string;
}

export function fileScopeOf(caller: Caller, access: FileAccess): FileScope {
  const owner = fileOwnerOf(caller, access);
  return caller.kind === 'upload' ? { owner, uploadLinkId: caller.jti } : { owner };
}

export const isInScope = (file: Pick<FileItem, 'owner' | 'uploadLinkId'>, scope: FileScope) =>
  file.owner === scope.owner &&
  (scope.uploadLinkId === undefined || file.uploadLinkId === scope.uploadLinkId);
