import { forEachPage, SWEEP_FLOOR } from '@pixelvault/core';
import { schedulerDb } from './db';

/** Items per Query page: one page becomes at most one message per tenant. */
export const SWEEP_PAGE_SIZE = 100;

export interface ExpiredFile {
  tenantId: string;
  fileId: string;
}

/**
 * The files of one expiry partition whose expiresAt is at or before `now`, a page at a time (Query on the
 * `expiry` index, key condition on the hour shard and the file's expiresAt range; never a Scan). `onPage` runs before the next
 * page is read, so a sweep holds one page per partition in memory.
 */
export async function forEachExpiredFilePage(
  partition: string,
  now: Date,
  onPage: (files: ExpiredFile[]) => Promise<void>,
): Promise<number> {
  return forEachPage(
    (cursor) =>
      schedulerDb()
        .entities.file.query.byExpiry({ expiryPartition: partition })
        .between({ expiresAt: SWEEP_FLOOR }, { expiresAt: now.toISOString() })
        .go({ cursor, limit: SWEEP_PAGE_SIZE }),
    onPage,
  );
}
