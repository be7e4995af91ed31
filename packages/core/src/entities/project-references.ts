import type { Db } from '.';

/**
 * A DynamoDB transaction holds at most 100 items: the project (or order) plus one refCount (pinCount) change per
 * file added or removed.
 */
export const MAX_REFERENCE_CHANGES = 99;

type WriteTransaction = Parameters<Db['transaction']['write']>[0];
export type TransactionEntities = Parameters<WriteTransaction>[0];
export type TransactionItem = ReturnType<WriteTransaction>[number];

/** Transaction conflicts (another transaction on the same items in flight) are retried this often. */
const CONFLICT_ATTEMPTS = 3;

/**
 * Runs a write transaction whose first item is the guarded one (a project, an order) and the rest file
 * references. A condition failure of the first item means another writer won (`stale`); of a file, that file
 * is unusable. Conflicts are retried: every item is conditional, so a retry never applies a change twice.
 */
export async function runReferenceTransaction(
  db: Db,
  build: (entities: TransactionEntities) => TransactionItem[],
  fileIdsInOrder: readonly string[],
): Promise<{ stale: true } | { unusableFileIds: string[] } | undefined> {
  for (let attempt = 1; ; attempt++) {
    const { canceled, data } = await db.transaction.write(build).go();
    if (!canceled) return undefined;
    const codes = (data as { code: string }[]).map((result) => result.code);
    if (codes.includes('TransactionConflict') && attempt < CONFLICT_ATTEMPTS) {
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      continue;
    }
    if (codes[0] === 'ConditionalCheckFailed' || codes[0] === 'TransactionConflict') return { stale: true };
    const unusableFileIds = fileIdsInOrder.filter(
      (_id, index) => codes[index + 1] === 'ConditionalCheckFailed',
    );
    if (unusableFileIds.length > 0) return { unusableFileIds };
    throw new Error(`Transaction canceled: ${codes.join(', ')}`);
  }
}

/**
 * The refCount changes of a save: +1 on each added file, conditional on it being usable and (unless a copy
 * inherits it from the shared project: `addedOwner` undefined) the owner's; -1 on each removed file,
 * conditional on it being counted, so a count never goes below zero (the project held the reference).
 */
export function referenceWrites(
  { file }: Pick<TransactionEntities, 'file'>,
  tenantId: string,
  {
    added,
    removed,
    addedOwner,
  }: { added: readonly string[]; removed: readonly string[]; addedOwner?: string },
): TransactionItem[] {
  return [
    ...added.map((fileId) =>
      file
        .patch({ tenantId, fileId })
        .add({ refCount: 1 })
        .where(({ owner, state }, { eq, ne }) =>
          [
            ...(addedOwner === undefined ? [] : [eq(owner, addedOwner)]),
            ne(state, 'rejected'),
            ne(state, 'deleted'),
          ].join(' AND '),
        )
        .commit(),
    ),
    ...removed.map((fileId) =>
      file
        .patch({ tenantId, fileId })
        .subtract({ refCount: 1 })
        .where(({ refCount }, { gt }) => gt(refCount, 0))
        .commit(),
    ),
  ];
}

/**
 * Deletes the project and releases its files. Up to MAX_REFERENCE_CHANGES references go in the transaction
 * that deletes the item; a larger project first releases the rest in chunks, each chunk removed from `fileIds`
 * in the same transaction that decrements its files, and marks itself pending `deleting` (404 from then on). A crash
 * between steps leaves a consistent, hidden project that the next deletion finishes. False when another writer
 * changed the project meanwhile (its owner or version is no longer `current`'s).
 */
export async function removeProject(
  db: Db,
  current: { tenantId: string; projectId: string; owner: string; version: number; fileIds: string[] },
): Promise<boolean> {
  const projectOwner = current.owner;
  const tenantId = current.tenantId;
  const projectKey = { tenantId, projectId: current.projectId };
  let { version, fileIds } = current;
  while (fileIds.length > MAX_REFERENCE_CHANGES) {
    const kept = fileIds.slice(0, fileIds.length - MAX_REFERENCE_CHANGES);
    const released = fileIds.slice(kept.length);
    const expected = version;
    const failure = await runReferenceTransaction(
      db,
      ({ project, file }) => [
        project
          .patch(projectKey)
          .set({ fileIds: kept, pending: 'deleting', version: expected + 1 })
          .where(({ owner, version: v }, { eq }) => `${eq(owner, projectOwner)} AND ${eq(v, expected)}`)
          .commit(),
        ...referenceWrites({ file }, tenantId, { added: [], removed: released }),
      ],
      released,
    );
    if (!committed(failure, current.projectId)) return false;
    version = expected + 1;
    fileIds = kept;
  }
  const failure = await runReferenceTransaction(
    db,
    ({ project, file }) => [
      project
        .delete(projectKey)
        .where(({ owner, version: v }, { eq }) => `${eq(owner, projectOwner)} AND ${eq(v, version)}`)
        .commit(),
      ...referenceWrites({ file }, tenantId, { added: [], removed: fileIds }),
    ],
    fileIds,
  );
  return committed(failure, current.projectId);
}

/**
 * Whether a step of removeProject went through: false when the project moved on (a save came first); a file
 * refusing its release is a broken count, which throws.
 */
function committed(failure: Awaited<ReturnType<typeof runReferenceTransaction>>, projectId: string): boolean {
  if (failure && 'stale' in failure) return false;
  if (failure)
    throw new Error(`Files not counted for project ${projectId}: ${failure.unusableFileIds.join(', ')}`);
  return true;
}
