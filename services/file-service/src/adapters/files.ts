import {
  createDb,
  ID_PATTERN,
  markFileDeleted,
  type Db,
  type FileDeletion,
  type FileItem,
  type Owner,
} from '@pixelvault/core';
import type { FileRegistration } from '../domain/registration';
import { invalidCursor, type ListRequest } from '../domain/listing';

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

/** Deletes the owner's file if nothing pins or uses it (see markFileDeleted); a malformed id is `not_found`. */
export async function deleteOwnFile(
  key: { tenantId: string; owner: Owner },
  fileId: string,
  now: Date,
): Promise<FileDeletion> {
  if (!ID_PATTERN.test(fileId)) return { refused: 'not_found' };
  return markFileDeleted(filesDb(), { tenantId: key.tenantId, fileId }, { owner: key.owner, now });
}
