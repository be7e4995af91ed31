import { BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  chunksOf,
  dynamoDbClient,
  ID_PATTERN,
  listPage,
  markFileDeleted,
  type FileDeletion,
  type FileItem,
  type ListRequest,
  type Owner,
} from '@pixelvault/core';
import { isInScope, type FileScope } from '../domain/access';
import type { NewFile } from '../domain/registration';
import { filesDb } from './db';

// BatchWriteItem takes at most 25 items per request.
const BATCH_WRITE_ITEMS = 25;
// Items DynamoDB leaves unprocessed (throttling) are sent again, after 100, 200 and 400 ms.
const BATCH_WRITE_ATTEMPTS = 4;

type StoredItem = Record<string, unknown>;

/**
 * Writes new `pending` files with BatchWriteItem, 25 per request, the requests in parallel: 4 signed requests
 * for 100 files where PutItem would take 100 (each signed, each on a socket of its own, on a third of a vCPU at
 * 512 MB). ElectroDB builds the items (keys, timestamps, objectKey) exactly as for a put. BatchWriteItem cannot
 * be conditional; a create's condition would guard nothing here, as file ids are 128 random bits. Whatever
 * DynamoDB leaves unprocessed is retried; an item still unwritten is an Error in its place.
 */
export async function createPendingFiles(files: readonly NewFile[]): Promise<(FileItem | Error)[]> {
  if (files.length === 0) return [];
  const requests = filesDb()
    .entities.file.put(files.map((file) => ({ ...file, state: 'pending' as const })))
    .params<BatchWriteCommandInput[]>();
  const table = Object.keys(requests[0]!.RequestItems!)[0]!;
  const items = requests.flatMap((request) =>
    request.RequestItems![table]!.map((write) => write.PutRequest!.Item as StoredItem),
  );
  let unwritten = items;
  let fault: unknown;
  for (let attempt = 0; unwritten.length > 0 && attempt < BATCH_WRITE_ATTEMPTS; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    const left = await Promise.all(
      chunksOf(unwritten, BATCH_WRITE_ITEMS).map(async (chunk) => {
        try {
          const { UnprocessedItems } = await dynamoDbClient().send(
            new BatchWriteCommand({
              RequestItems: { [table]: chunk.map((Item) => ({ PutRequest: { Item } })) },
            }),
          );
          return (UnprocessedItems?.[table] ?? []).map((write) => write.PutRequest!.Item as StoredItem);
        } catch (error) {
          fault = error;
          return chunk;
        }
      }),
    );
    unwritten = left.flat();
  }
  const failed = new Set(unwritten.map((item) => item.pk));
  return items.map((Item) =>
    failed.has(Item.pk)
      ? new Error('DynamoDB did not write the file', { cause: fault })
      : (filesDb().entities.file.parse({ Item }).data as FileItem),
  );
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
  return listPage(cursor, async () => {
    const { data, cursor: nextCursor } = await filesDb()
      .entities.file.query.byOwner(key)
      .where(({ state }, { ne }) => ne(state, 'deleted'))
      // `count` keeps reading until `limit` files passed the filter; DynamoDB's Limit counts before it.
      .go({ order: 'desc', count: limit, cursor });
    return { items: data, nextCursor };
  });
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
