import {
  forEachPage,
  isConditionalCheckFailed,
  expiryFields,
  type FileItem,
  type ProjectItem,
} from '@pixelvault/core';
import { schedulerDb } from './db';

/** Items of an owner per Query page (gsi1: the owner's partition, one entity's items by their key prefix). */
export const OWNER_PAGE_SIZE = 100;

export const forEachOwnFilePage = (
  tenantId: string,
  owner: string,
  onPage: (files: FileItem[]) => Promise<void>,
) =>
  forEachPage(
    (cursor) =>
      schedulerDb().entities.file.query.byOwner({ tenantId, owner }).go({ cursor, limit: OWNER_PAGE_SIZE }),
    onPage,
  );

export const forEachOwnProjectPage = (
  tenantId: string,
  owner: string,
  onPage: (projects: ProjectItem[]) => Promise<void>,
) =>
  forEachPage(
    (cursor) =>
      schedulerDb()
        .entities.project.query.byOwner({ tenantId, owner })
        .go({ cursor, limit: OWNER_PAGE_SIZE }),
    onPage,
  );

/** Whether a refused transfer is done already (a redelivery, or the index's page was stale); else throws. */
async function settled(read: () => Promise<{ owner: string } | null>, toOwner: string, what: string) {
  const item = await read();
  if (item === null || item.owner === toOwner) return;
  throw new Error(`${what} changed while it was transferred; the redelivery resumes`);
}

/**
 * Moves a file to the new owner, only from the old one (idempotent). Its objects keep their keys. A file kept by
 * the user leaves the expiry index; a `pending` one keeps its registration's expiry.
 */
export async function transferFile(file: FileItem, fromOwner: string, toOwner: string): Promise<void> {
  const key = { tenantId: file.tenantId, fileId: file.fileId };
  const keepsExpiry = file.state === 'pending';
  try {
    await schedulerDb()
      .entities.file.patch(key)
      .set({ owner: toOwner })
      .remove(keepsExpiry ? [] : ['expiresAt', 'expiryPartition'])
      .where(({ owner, state }, { eq }) => `${eq(owner, fromOwner)} AND ${eq(state, file.state)}`)
      .go();
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    await settled(
      async () => (await schedulerDb().entities.file.get(key).go({ consistent: true })).data,
      toOwner,
      `file ${file.fileId}`,
    );
  }
}

/**
 * Moves a project to the new owner, only from the old one (idempotent); its documents stay where they are. It
 * keeps `expiresAt` unless the new owner's retention (`expiresAt`, from the claim) keeps it longer.
 */
export async function transferProject(
  project: ProjectItem,
  fromOwner: string,
  toOwner: string,
  expiresAt: string,
): Promise<void> {
  const key = { tenantId: project.tenantId, projectId: project.projectId };
  const kept = expiresAt > project.expiresAt ? expiresAt : project.expiresAt;
  try {
    await schedulerDb()
      .entities.project.patch(key)
      .set({
        owner: toOwner,
        formerOwners: [...(project.formerOwners ?? []), fromOwner],
        ...expiryFields(project.projectId, kept),
      })
      .where(({ owner }, { eq }) => eq(owner, fromOwner))
      .go();
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    await settled(
      async () => (await schedulerDb().entities.project.get(key).go({ consistent: true })).data,
      toOwner,
      `project ${project.projectId}`,
    );
  }
}
