import {
  DELETED_FILE_TTL_SECONDS,
  deleteObjects,
  expiryFields,
  isConditionalCheckFailed,
  statesBefore,
  storedFileObjectKeys,
  type FileItem,
} from '@pixelvault/core';
import type { FilePurgePorts, PurgeRule, SkipReason } from '../domain/file-purge';
import { schedulerDb } from './db';

/** A file still referenced when its expiry came is looked at again this much later. */
export const REFERENCED_RECHECK_MS = 24 * 3600 * 1000;

export function filePurgePorts(tenantId: string, at: Date, rule: PurgeRule): FilePurgePorts {
  const db = schedulerDb();
  const key = (fileId: string) => ({ tenantId, fileId });
  return {
    async markDeleted(fileId) {
      const ttl = Math.floor(at.getTime() / 1000) + DELETED_FILE_TTL_SECONDS;
      try {
        const { data } = await db.entities.file
          .patch(key(fileId))
          .set({ state: 'deleted', ttl })
          .remove(['expiresAt', 'expiryPartition', 'processingLeaseUntil'])
          .where((attr, { eq, lte }) => {
            const tombstone = eq(attr.state, 'deleted');
            if (rule.kind === 'deleted') return tombstone;
            const deletable = statesBefore('deleted')
              .map((state) => eq(attr.state, state))
              .join(' OR ');
            // Only attributes a condition uses may be touched here: ElectroDB declares every one it is asked for.
            const unreferenced = () => `${eq(attr.refCount, 0)} AND ${eq(attr.pinCount, 0)}`;
            const ruled =
              rule.kind === 'expired'
                ? `${unreferenced()} AND ${lte(attr.expiresAt, at.toISOString())}`
                : rule.kind === 'session-ended'
                  ? `${unreferenced()} AND ${eq(attr.owner, rule.owner)} AND ${eq(attr.longTerm, false)}`
                  : `${eq(attr.pinCount, 0)} AND ${eq(attr.owner, rule.owner)}`;
            // Parenthesised: ElectroDB puts its own `attribute_exists` conditions in front with AND.
            return `(${tombstone} OR ((${deletable}) AND ${ruled}))`;
          })
          .go({ response: 'all_new' });
        return { marked: { fileId, objectKeys: storedFileObjectKeys(data as FileItem) } };
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      return { skipped: await whyNotDeleted(tenantId, fileId, at, rule) };
    },
    deleteObjects,
    async deleteItem(fileId) {
      await db.entities.file
        .delete(key(fileId))
        .where(({ state }, { eq }) => eq(state, 'deleted'))
        .go()
        .catch((error: unknown) => {
          // Gone already (a redelivery), or brought back: nothing of ours to delete.
          if (!isConditionalCheckFailed(error)) throw error;
        });
    },
  };
}

/** One read after a refused mark; a referenced file's expiry moves on, so it stays in the sweeps' sight. */
async function whyNotDeleted(
  tenantId: string,
  fileId: string,
  at: Date,
  rule: PurgeRule,
): Promise<SkipReason> {
  const db = schedulerDb();
  const { data: file } = await db.entities.file.get({ tenantId, fileId }).go();
  if (!file || file.state === 'deleted') return 'gone';
  if ('owner' in rule && file.owner !== rule.owner) return 'transferred';
  if (rule.kind === 'erasure') return file.pinCount > 0 ? 'pinned' : 'not_expired';
  if (file.pinCount === 0 && file.refCount === 0)
    return rule.kind === 'expired' ? 'not_expired' : 'long_term';
  const recheckAt = new Date(at.getTime() + REFERENCED_RECHECK_MS).toISOString();
  if (file.expiresAt !== undefined && file.expiresAt < recheckAt) {
    await db.entities.file
      .patch({ tenantId, fileId })
      .set(expiryFields(fileId, recheckAt))
      .where(
        (attr, { eq, gt }) =>
          `(${gt(attr.refCount, 0)} OR ${gt(attr.pinCount, 0)}) AND NOT ${eq(attr.state, 'deleted')}`,
      )
      .go()
      .catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      });
  }
  return file.pinCount > 0 ? 'pinned' : 'in_use';
}

/**
 * A rejected file's bytes are of no use to anyone: its objects go at once (the item stays, so the client still
 * reads the rejection, until the file's expiry removes it). False when the file is not `rejected` (any more).
 */
export async function removeRejectedObjects(tenantId: string, fileId: string): Promise<boolean> {
  const { data: file } = await schedulerDb().entities.file.get({ tenantId, fileId }).go();
  if (file?.state !== 'rejected') return false;
  await deleteObjects(storedFileObjectKeys(file));
  return true;
}
