import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import {
  logger,
  measureCapacity,
  metrics,
  MetricUnit,
  sessionOwner,
  userOwner,
  type FileItem,
  type ProjectItem,
} from '@pixelvault/core';
import type { SQSEvent, SQSHandler, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import {
  addErasureCounts,
  deleteSessions,
  deleteShares,
  eraseOrder,
  eraseProject,
  finishErasure,
  forEachOwnOrderPage,
  forEachOwnSharePage,
  forEachUserSession,
} from '../adapters/erasure';
import { filePurgePorts, removeRejectedObjects } from '../adapters/files';
import {
  forEachOwnFilePage,
  forEachOwnProjectPage,
  transferFile,
  transferProject,
} from '../adapters/ownership';
import { parseCleanupWork, type CleanupWork } from '../domain/cleanup-work';
import { eraseUser } from '../domain/erasure';
import { purgeFiles, type PurgeOutcome } from '../domain/file-purge';
import { transferOwnership } from '../domain/ownership-transfer';

const processor = new BatchProcessor(EventType.SQS);

// Item writes in flight at once per invocation.
const WRITES_AT_ONCE = 16;

interface Tally {
  examined: number;
  deleted: number;
  skipped: Record<string, number>;
  rejectedCleared: number;
  transferredFiles: number;
  transferredProjects: number;
}

function addOutcome(tally: Tally, outcome: PurgeOutcome) {
  tally.examined += outcome.examined;
  tally.deleted += outcome.deleted;
  for (const [reason, count] of Object.entries(outcome.skipped)) {
    tally.skipped[reason] = (tally.skipped[reason] ?? 0) + count;
  }
}

async function carryOut(work: CleanupWork, tally: Tally, each: ReturnType<typeof pLimit>): Promise<void> {
  switch (work.type) {
    case 'files-expired':
      addOutcome(
        tally,
        await purgeFiles(
          work.fileIds,
          filePurgePorts(work.tenantId, new Date(work.at), { kind: 'expired' }),
          each,
        ),
      );
      return;
    case 'file-state-changed':
      if (work.to === 'deleted') {
        addOutcome(
          tally,
          await purgeFiles(
            [work.fileId],
            filePurgePorts(work.tenantId, new Date(work.at), { kind: 'deleted' }),
            each,
          ),
        );
      } else if (work.to === 'rejected' && (await removeRejectedObjects(work.tenantId, work.fileId))) {
        tally.rejectedCleared += 1;
      }
      return;
    case 'session-ended': {
      // A logged-out guest's unsaved files: the session's own, unreferenced, not long-term.
      const owner = sessionOwner(work.sessionId);
      const ports = filePurgePorts(work.tenantId, new Date(work.at), { kind: 'session-ended', owner });
      await forEachOwnFilePage(work.tenantId, owner, async (files) => {
        addOutcome(
          tally,
          await purgeFiles(
            files.map((file) => file.fileId),
            ports,
            each,
          ),
        );
      });
      return;
    }
    case 'ownership-transfer': {
      const { tenantId, fromOwner, toOwner } = work;
      const moved = await transferOwnership<FileItem, ProjectItem>({
        forEachFilePage: (onPage) => forEachOwnFilePage(tenantId, fromOwner, onPage),
        forEachProjectPage: (onPage) => forEachOwnProjectPage(tenantId, fromOwner, onPage),
        transferFile: (file) => transferFile(file, fromOwner, toOwner),
        transferProject: (project) => transferProject(project, fromOwner, toOwner),
        each,
      });
      tally.transferredFiles += moved.files;
      tally.transferredProjects += moved.projects;
      return;
    }
    case 'user-erasure': {
      const { tenantId, userId } = work;
      const owner = userOwner(userId);
      const at = new Date(work.at);
      const ports = filePurgePorts(tenantId, at, { kind: 'erasure', owner });
      await eraseUser({
        forEachSessionPage: (onPage) => forEachUserSession(tenantId, userId, onPage),
        deleteSessions,
        forEachProjectPage: (onPage) => forEachOwnProjectPage(tenantId, owner, onPage),
        deleteProject: eraseProject,
        forEachSharePage: (onPage) => forEachOwnSharePage(tenantId, owner, onPage),
        deleteShares,
        forEachOrderPage: (onPage) => forEachOwnOrderPage(tenantId, owner, onPage),
        deleteOrder: eraseOrder,
        forEachFilePage: (onPage) =>
          forEachOwnFilePage(tenantId, owner, (files) => onPage(files.map((file) => file.fileId))),
        purgeFiles: async (fileIds) => {
          const outcome = await purgeFiles(fileIds, ports, each);
          addOutcome(tally, outcome);
          return outcome;
        },
        addCounts: (counts) => addErasureCounts(tenantId, userId, counts),
        finish: () => finishErasure(tenantId, userId, at),
      });
      return;
    }
  }
}

/**
 * The cleanup queue, ten messages per invocation: expired files (from the sweeps), file events (deleted:
 * objects and tombstone go; rejected: the objects go), logouts (a guest's unsaved files go) and claims (a
 * guest's files and projects move to the user) and erasures (everything of a user goes, counted in its report). A message that throws is reported alone
 * (ReportBatchItemFailures) and redelivered; every step is idempotent, so a redelivery converges.
 */
export const handler: SQSHandler = async (event: SQSEvent, context) => {
  const tally: Tally = {
    examined: 0,
    deleted: 0,
    skipped: {},
    rejectedCleared: 0,
    transferredFiles: 0,
    transferredProjects: 0,
  };
  const each = pLimit(WRITES_AT_ONCE);
  const processRecord = async (record: SQSRecord) => {
    const work = parseCleanupWork(record.body);
    if (work === undefined) throw new Error(`unrecognised message ${record.messageId}`);
    try {
      await carryOut(work, tally, each);
    } catch (error) {
      // Reported as failed (retried, then the DLQ); the log says which work and why.
      logger.error('cleanup work failed', {
        work: work.type,
        tenantId: work.tenantId,
        error: error as Error,
      });
      throw error;
    }
  };
  const { result, capacity } = await measureCapacity(() =>
    processPartialResponse(event, processRecord, processor, { context }),
  );
  const failed = result.batchItemFailures.length;
  const skipped = Object.values(tally.skipped).reduce((sum, count) => sum + count, 0);
  metrics.addMetric('FilesExamined', MetricUnit.Count, tally.examined);
  metrics.addMetric('FilesDeleted', MetricUnit.Count, tally.deleted);
  metrics.addMetric('FilesSkipped', MetricUnit.Count, skipped);
  metrics.addMetric('CleanupMessagesFailed', MetricUnit.Count, failed);
  metrics.addMetric('FilesTransferred', MetricUnit.Count, tally.transferredFiles);
  metrics.addMetric('ProjectsTransferred', MetricUnit.Count, tally.transferredProjects);
  metrics.publishStoredMetrics();
  logger.info('cleanup batch', {
    job: 'cleanUp',
    messages: event.Records.length,
    ...tally,
    failed,
    capacity,
  });
  return result;
};
