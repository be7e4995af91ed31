import { runSweepJob, type ScheduledEvent } from '@pixelvault/core';
import pLimit from 'p-limit';
import { schedulerDb } from '../adapters/db';
import { forEachExpiredFilePage } from '../adapters/expiry-index';
import { sendExpiredFiles } from '../adapters/work-queue';

// Partitions read at once: the 16 shards of an hour side by side.
const PARTITIONS_AT_ONCE = 16;

/**
 * Hourly: files past their expiresAt (pending registrations after 24 h, guest files after their session) are
 * found through the expiry index and sent to the cleanup queue, one message per tenant and page (`handled`:
 * messages sent); the cleanup worker deletes those still expired and unreferenced.
 */
export const handler = (event: ScheduledEvent) =>
  runSweepJob('expireFiles', event, {
    db: schedulerDb(),
    forEachPage: forEachExpiredFilePage,
    handle: sendExpiredFiles,
    each: pLimit(PARTITIONS_AT_ONCE),
  });
