import { createDb, ID_PATTERN, type Db, type FileItem, type Owner } from '@pixelvault/core';
import { isInScope, type FileScope } from '../domain/access';
import type { NewFile } from '../domain/registration';
import { invalidCursor, type ListRequest } from '../domain/listing';

let db: Db | undefined;

const filesDb = (): Db => (db ??= createDb());

export async function createPendingFile(file: NewFile): Promise<FileItem> {
  const { data } = await filesDb()
    .entities.file.create({ ...file, state: 'pending' })
    .go();
  return data as FileItem;
}

/**
 * The file if the caller may see it, or undefined: another owner's, one another upload link registered, a
 * deleted one and a malformed id all look alike.
 */
export async function findOwnFile(
  scope: { tenantId: string } & FileScope,
  fileId: string,
): Promise<FileItem | undefined> {
  if (!ID_PATTERN.test(fileId)) return undefined;
  const { data } = await filesDb().entities.file.get({ tenantId: scope.tenantId, fileId }).go();
  if (!data || !isInScope(data, scope) || data.state === 'deleted') return undefined;
  return data;
}

/** One page of the owner's files, newest first; `nextCursor` is null after the last page. */
export async function listOwnFiles(
  key: { tenantId: string; owner: Owner },
  { limit, cursor }: ListRequest,
): Promise<{ items: FileItem[]; nextCursor: string | null }> {
  try {
    const { data, cursor: nextCursor } = await filesDb()
      .entities.file.query.byOwner(key)
      .where(({ state }, { ne }) => ne(state, 'deleted'))
      // `count` keeps reading until `limit` files passed the filter; DynamoDB's Limit counts before it.
      .go({ order: 'desc', count: limit, cursor });
    return { items: data, nextCursor };
  } catch (error) {
    // A well-formed cursor whose keys do not belong to this query (another owner's, a forged one).
    if (
      cursor !== undefined &&
      (error as { cause?: { name?: string } }).cause?.name === 'ValidationException'
    ) {
      throw invalidCursor();
    }
    throw error;
  }
}
