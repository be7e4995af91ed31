import {
  createDb,
  ID_PATTERN,
  invalidCursor,
  type Db,
  type FileItem,
  type ListRequest,
  type Owner,
} from '@pixelvault/core';
import type { FileRegistration } from '../domain/registration';

let db: Db | undefined;

const filesDb = (): Db => (db ??= createDb());

export async function createPendingFile(
  input: FileRegistration & { tenantId: string; owner: Owner; longTerm: boolean; expiresAt: string },
): Promise<FileItem> {
  const { data } = await filesDb()
    .entities.file.create({ ...input, state: 'pending' })
    .go();
  return data as FileItem;
}

/** The owner's file, or undefined: another owner's, a deleted one and a malformed id all look alike. */
export async function findOwnFile(
  key: { tenantId: string; owner: Owner },
  fileId: string,
): Promise<FileItem | undefined> {
  if (!ID_PATTERN.test(fileId)) return undefined;
  const { data } = await filesDb().entities.file.get({ tenantId: key.tenantId, fileId }).go();
  if (!data || data.owner !== key.owner || data.state === 'deleted') return undefined;
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
