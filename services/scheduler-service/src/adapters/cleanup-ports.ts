import { projectExpiry, tenantSettings, userOwner, type FileItem, type ProjectItem } from '@pixelvault/core';
import pLimit from 'p-limit';
import type { CleanupPorts } from '../domain/clean-up';
import { schedulerDb } from './db';
import {
  addErasureCounts,
  deleteSessions,
  deleteShares,
  eraseAgainAfterClaim,
  eraseOrder,
  eraseProject,
  finishErasure,
  forEachOwnOrderPage,
  forEachOwnSharePage,
  forEachUserSession,
} from './erasure';
import { filePurgePorts, removeRejectedObjects } from './files';
import { retireDocument } from './project-documents';
import { forEachOwnFilePage, forEachOwnProjectPage, transferFile, transferProject } from './ownership';

// Item writes in flight at once per invocation.
const WRITES_AT_ONCE = 16;

/** The cleanup worker's storage for one invocation (its own limiter of item writes). */
export function cleanupPorts(): CleanupPorts<FileItem, ProjectItem> {
  return {
    filePurge: filePurgePorts,
    removeRejectedObjects,
    forEachOwnFileIdPage: (tenantId, owner, onPage) =>
      forEachOwnFilePage(tenantId, owner, (files) => onPage(files.map((file) => file.fileId))),
    transfer: (tenantId, fromOwner, toOwner, at) => {
      // The new owner's retention from the claim, read once per claim and only if it has projects.
      let expiresAt: Promise<string> | undefined;
      const claimedExpiry = () =>
        (expiresAt ??= tenantSettings(schedulerDb(), tenantId).then((settings) =>
          projectExpiry(toOwner, settings, at),
        ));
      return {
        forEachFilePage: (onPage) => forEachOwnFilePage(tenantId, fromOwner, onPage),
        forEachProjectPage: (onPage) => forEachOwnProjectPage(tenantId, fromOwner, onPage),
        transferFile: (file) => transferFile(file, fromOwner, toOwner),
        transferProject: async (project) =>
          transferProject(project, fromOwner, toOwner, await claimedExpiry()),
      };
    },
    eraseAgainAfterClaim,
    erasure: (tenantId, userId, at) => ({
      forEachSessionPage: (onPage) => forEachUserSession(tenantId, userId, onPage),
      deleteSessions,
      forEachProjectPage: (onPage) => forEachOwnProjectPage(tenantId, userOwner(userId), onPage),
      deleteProject: eraseProject,
      forEachSharePage: (onPage) => forEachOwnSharePage(tenantId, userOwner(userId), onPage),
      deleteShares,
      forEachOrderPage: (onPage) => forEachOwnOrderPage(tenantId, userOwner(userId), onPage),
      deleteOrder: eraseOrder,
      addCounts: (counts) => addErasureCounts(tenantId, userId, counts),
      finish: () => finishErasure(tenantId, userId, at),
    }),
    retireDocument,
    each: pLimit(WRITES_AT_ONCE),
  };
}
