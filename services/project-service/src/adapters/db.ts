import { createDb, type Db } from '@pixelvault/core';

let db: Db | undefined;

export const projectsDb = (): Db => (db ??= createDb());

type WriteTransaction = Parameters<Db['transaction']['write']>[0];
export type Entities = Parameters<WriteTransaction>[0];
export type TransactionItem = ReturnType<WriteTransaction>[number];

/** Transaction conflicts (another transaction on the same items in flight) are retried this often. */
const CONFLICT_ATTEMPTS = 3;

/**
 * Runs a write transaction whose first item is the guarded one (a project, an order) and the rest file
 * references. A condition failure of the first item means another writer won (`stale`); of a file, that file
 * is unusable. Conflicts are retried: every item is conditional, so a retry never applies a change twice.
 */
export async function runTransaction(
  build: (entities: Entities) => TransactionItem[],
  fileIdsInOrder: readonly string[],
): Promise<{ stale: true } | { unusableFileIds: string[] } | undefined> {
  for (let attempt = 1; ; attempt++) {
    const { canceled, data } = await projectsDb().transaction.write(build).go();
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
