import { createDb, runReferenceTransaction, type Db } from '@pixelvault/core';

let db: Db | undefined;

export const projectsDb = (): Db => (db ??= createDb());

/** core's runReferenceTransaction on this service's table. */
export const runTransaction = (
  build: Parameters<typeof runReferenceTransaction>[1],
  fileIdsInOrder: readonly string[],
) => runReferenceTransaction(projectsDb(), build, fileIdsInOrder);
