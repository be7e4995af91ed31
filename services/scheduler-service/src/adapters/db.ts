import { createDb, type Db } from '@pixelvault/core';

let db: Db | undefined;
/** One ElectroDB service per container. */
export const schedulerDb = (): Db => (db ??= createDb());
