import { isProjectDocumentKey, sessionOwner, userOwner } from '@pixelvault/core';
import type { CleanupWork } from './cleanup-work';
import { eraseUser, type ErasurePorts } from './erasure';
import {
  purgeFiles,
  type FilePurgePorts,
  type PurgeOutcome,
  type PurgeRule,
  type SkipReason,
} from './file-purge';
import { transferOwnership, type TransferPorts } from './ownership-transfer';

const userIdOf = (owner: string) => (owner.startsWith('user#') ? owner.slice('user#'.length) : undefined);

/** Runs work with bounded concurrency (the invocation's limiter of item writes). */
export type Limiter = <T>(work: () => Promise<T>) => Promise<T>;

/** What the cleanup worker needs of storage for each kind of work (`F`, `P`: the file and project items). */
export interface CleanupPorts<F, P> {
  /** The three purge steps for a tenant's files that `rule` lets go, as of `at`. */
  filePurge(tenantId: string, at: Date, rule: PurgeRule): FilePurgePorts;
  /** A rejected file's objects; false when the file is not `rejected` (any more). */
  removeRejectedObjects(tenantId: string, fileId: string): Promise<boolean>;
  /** The owner's files, a page of ids at a time. */
  forEachOwnFileIdPage(
    tenantId: string,
    owner: string,
    onPage: (fileIds: string[]) => Promise<void>,
  ): Promise<unknown>;
  /** A claim's moves from one owner to another, claimed at `at` (projects get the new owner's retention). */
  transfer(tenantId: string, fromOwner: string, toOwner: string, at: Date): Omit<TransferPorts<F, P>, 'each'>;
  /**
   * After a claim moved things to a user: runs the user's erasure again (sends it) if one was requested after the
   * claim or is still running, so nothing the claim brought outlives it.
   */
  eraseAgainAfterClaim(tenantId: string, userId: string, claimedAt: Date): Promise<void>;
  /** An erasure's sessions, projects, shares, orders and report (its files go through `filePurge`). */
  erasure(tenantId: string, userId: string, at: Date): Omit<ErasurePorts, 'forEachFilePage' | 'purgeFiles'>;
  /** Deletes a project's document object unless it is (again) the project's current one; true if deleted. */
  retireDocument(tenantId: string, projectId: string, documentKey: string): Promise<boolean>;
  each: Limiter;
}

/** What the work of one invocation did, for its log line and metrics. */
export interface CleanupTally extends PurgeOutcome {
  rejectedCleared: number;
  transferredFiles: number;
  transferredProjects: number;
  documentsRetired: number;
}

export const emptyTally = (): CleanupTally => ({
  examined: 0,
  deleted: 0,
  skipped: {},
  rejectedCleared: 0,
  transferredFiles: 0,
  transferredProjects: 0,
  documentsRetired: 0,
});

function addPurge(tally: CleanupTally, outcome: PurgeOutcome): void {
  tally.examined += outcome.examined;
  tally.deleted += outcome.deleted;
  for (const [reason, count] of Object.entries(outcome.skipped) as Array<[SkipReason, number]>)
    tally.skipped[reason] = (tally.skipped[reason] ?? 0) + count;
}

/**
 * One message of the cleanup queue, carried out; counts are added to `tally` as they happen (a message that
 * fails midway still shows what it removed). Every step is idempotent, so a redelivery converges:
 * - `files-expired` (the sweep): the files still expired and unreferenced at the job's time are purged;
 * - `file-state-changed` to `deleted` (DELETE /v1/files): the tombstone's objects and item go; to `rejected`:
 *   the objects go, the item stays so the client still reads why;
 * - `session-ended` (logout): the guest's unsaved files are purged;
 * - `ownership-transfer` (claim): the guest's files, then projects, move to the user (projects with the user's
 *   retention from the claim); if the user's erasure was asked for since, or still runs, it runs again;
 * - `document-superseded` (a project save): the document object it replaced goes, unless it is the project's
 *   current one;
 * - `user-erasure`: sessions, projects, shares, orders, then files of the user go, counted in its report.
 */
export async function carryOut<F, P>(
  work: CleanupWork,
  ports: CleanupPorts<F, P>,
  tally: CleanupTally,
): Promise<void> {
  const at = new Date(work.at);
  const purge = async (fileIds: readonly string[], rule: PurgeRule) => {
    const outcome = await purgeFiles(fileIds, ports.filePurge(work.tenantId, at, rule), ports.each);
    addPurge(tally, outcome);
    return outcome;
  };
  switch (work.type) {
    case 'files-expired':
      await purge(work.fileIds, { kind: 'expired' });
      return;
    case 'file-state-changed':
      if (work.to === 'deleted') await purge([work.fileId], { kind: 'deleted' });
      else if (work.to === 'rejected' && (await ports.removeRejectedObjects(work.tenantId, work.fileId)))
        tally.rejectedCleared += 1;
      return;
    case 'session-ended': {
      const owner = sessionOwner(work.sessionId);
      await ports.forEachOwnFileIdPage(work.tenantId, owner, async (fileIds) => {
        await purge(fileIds, { kind: 'session-ended', owner });
      });
      return;
    }
    case 'ownership-transfer': {
      const moved = await transferOwnership({
        ...ports.transfer(work.tenantId, work.fromOwner, work.toOwner, at),
        each: ports.each,
      });
      tally.transferredFiles += moved.files;
      tally.transferredProjects += moved.projects;
      const userId = userIdOf(work.toOwner);
      if (userId !== undefined) await ports.eraseAgainAfterClaim(work.tenantId, userId, at);
      return;
    }
    case 'document-superseded':
      // Only the project service sends these; any other key is a bug to see in the DLQ, never a delete.
      if (!isProjectDocumentKey(work.documentKey, work))
        throw new Error(`${work.documentKey} is not a document of project ${work.projectId}`);
      if (await ports.retireDocument(work.tenantId, work.projectId, work.documentKey))
        tally.documentsRetired += 1;
      return;
    case 'user-erasure': {
      const owner = userOwner(work.userId);
      await eraseUser({
        ...ports.erasure(work.tenantId, work.userId, at),
        forEachFilePage: (onPage) => ports.forEachOwnFileIdPage(work.tenantId, owner, onPage),
        purgeFiles: (fileIds) => purge(fileIds, { kind: 'erasure', owner }),
      });
      return;
    }
  }
}
