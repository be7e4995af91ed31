/**
 * Deleting expired (and user-deleted) files, in the order that never loses a file a save races for:
 * 1. one conditional write per file marks it `deleted` only while it is expired and nothing references it
 *    (refCount 0, pinCount 0), or finds it already `deleted` (a redelivery, or a DELETE's tombstone);
 * 2. DeleteObjects removes every object of the marked files (up to 1000 keys per call; absent keys cost nothing);
 * 3. the marked items are deleted (conditional on `deleted`).
 * A crash after 2 leaves tombstones whose objects are gone; the redelivered message repeats 1-3 and converges.
 */

/** Why an expired file was not deleted. */
export type SkipReason = 'gone' | 'in_use' | 'pinned' | 'not_expired' | 'long_term' | 'transferred';

/**
 * Which files may go (a file already `deleted` always may: a redelivery, or a DELETE's tombstone):
 * `expired`: files a sweep found, while still expired at `at` and unreferenced;
 * `deleted`: only tombstones of DELETE /v1/files/{id}, whose objects and item are removed;
 * `session-ended`: a logged-out guest's unsaved files: still its own, unreferenced and not long-term;
 * `erasure`: an erased user's files: still the user's and pinned by no order (other owners' references, from
 * copies of a shared project, do not keep them).
 */
export type PurgeRule =
  | { kind: 'expired' }
  | { kind: 'deleted' }
  | { kind: 'session-ended'; owner: string }
  | { kind: 'erasure'; owner: string };

export type FileMark = { marked: { fileId: string; objectKeys: string[] } } | { skipped: SkipReason };

export interface FilePurgePorts {
  /** Step 1 for one file; on a refused condition it tells why (and re-dates a referenced file's expiry). */
  markDeleted(fileId: string): Promise<FileMark>;
  /** Step 2: every key, in calls of at most 1000. */
  deleteObjects(keys: string[]): Promise<void>;
  /** Step 3 for one file (already gone is fine). */
  deleteItem(fileId: string): Promise<void>;
}

export interface PurgeOutcome {
  examined: number;
  deleted: number;
  skipped: Partial<Record<SkipReason, number>>;
}

/** `each` runs the per-file writes with bounded concurrency (the adapter's limiter). */
export async function purgeFiles(
  fileIds: readonly string[],
  ports: FilePurgePorts,
  each: <T>(work: () => Promise<T>) => Promise<T>,
): Promise<PurgeOutcome> {
  const distinct = [...new Set(fileIds)];
  const marks = await Promise.all(distinct.map((fileId) => each(() => ports.markDeleted(fileId))));
  const marked = marks.flatMap((mark) => ('marked' in mark ? [mark.marked] : []));
  const skipped: PurgeOutcome['skipped'] = {};
  for (const mark of marks) if ('skipped' in mark) skipped[mark.skipped] = (skipped[mark.skipped] ?? 0) + 1;
  if (marked.length > 0) await ports.deleteObjects(marked.flatMap((file) => file.objectKeys));
  await Promise.all(marked.map(({ fileId }) => each(() => ports.deleteItem(fileId))));
  return { examined: distinct.length, deleted: marked.length, skipped };
}
