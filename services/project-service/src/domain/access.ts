import { ApiError, requireScope, type Caller, type Owner } from '@pixelvault/core';

/**
 * Whose projects the caller acts on, or 403. Guest and user sessions own projects (`sub`); upload links and
 * partner systems own none.
 */
export function projectOwnerOf(caller: Caller, access: 'read' | 'write'): Owner {
  requireScope(caller, access === 'read' ? 'projects:read' : 'projects:write');
  if (caller.kind !== 'guest' && caller.kind !== 'user') {
    throw new ApiError(403, 'forbidden', 'Only session tokens own projects');
  }
  return caller.sub as Owner;
}
