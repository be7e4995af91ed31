import { createDb, type Db } from '@pixelvault/core';

let db: Db | undefined;

/** The service's ElectroDB entities, built once per container and shared by every adapter. */
export const filesDb = (): Db => (db ??= createDb());
