import {
  deletePrefix,
  forEachPage,
  ERASURE_REPORT_TTL_SECONDS,
  forEachUserSessionPage,
  projectObjectPrefixes,
  publishEvents,
  removeOrder,
  removeProject,
  revokeSessions,
  type ErasureCount,
  type OrderItem,
  type ProjectItem,
  type ProjectShareItem,
  type SessionItem,
} from '@pixelvault/core';
import { schedulerDb } from './db';
import { OWNER_PAGE_SIZE } from './ownership';

/** The user's sessions a page at a time (core: gsi1, a user's sessions share the owner partition). */
export const forEachUserSession = (
  tenantId: string,
  userId: string,
  onPage: (sessions: SessionItem[]) => Promise<void>,
) => forEachUserSessionPage(schedulerDb(), { tenantId, userId }, onPage);

/**
 * Revokes every token of the sessions (the erase request did so for those it saw; a session written meanwhile
 * is caught here), then deletes them.
 */
export async function deleteSessions(sessions: SessionItem[]): Promise<void> {
  await revokeSessions(schedulerDb(), sessions, 'erasure');
  const { unprocessed } = await schedulerDb()
    .entities.session.delete(sessions.map(({ tenantId, sessionId }) => ({ tenantId, sessionId })))
    .go();
  if (unprocessed.length > 0) throw new Error(`${unprocessed.length} sessions not deleted`);
}

export const forEachOwnSharePage = (
  tenantId: string,
  owner: string,
  onPage: (shares: ProjectShareItem[]) => Promise<void>,
) =>
  forEachPage(
    (cursor) =>
      schedulerDb()
        .entities.projectShare.query.byOwner({ tenantId, owner })
        .go({ cursor, limit: OWNER_PAGE_SIZE }),
    onPage,
  );

export async function deleteShares(shares: ProjectShareItem[]): Promise<void> {
  const { unprocessed } = await schedulerDb()
    .entities.projectShare.delete(shares.map(({ tenantId, shareId }) => ({ tenantId, shareId })))
    .go();
  if (unprocessed.length > 0) throw new Error(`${unprocessed.length} shares not deleted`);
}

export const forEachOwnOrderPage = (
  tenantId: string,
  owner: string,
  onPage: (orders: OrderItem[]) => Promise<void>,
) =>
  forEachPage(
    (cursor) =>
      schedulerDb().entities.order.query.byOwner({ tenantId, owner }).go({ cursor, limit: OWNER_PAGE_SIZE }),
    onPage,
  );

/** Core's removeOrder (frozen documents, pins, the order, as releaseOrders does); its documents' count. */
export async function eraseOrder(order: OrderItem): Promise<number> {
  await removeOrder(schedulerDb(), order);
  return order.projects.length;
}

// A save slipping in between reading and deleting a project is retried this often.
const PROJECT_ATTEMPTS = 3;

/** The project with its references (core's removeProject) and every object under its prefixes. */
export async function eraseProject(project: ProjectItem): Promise<number> {
  let current: ProjectItem | null = project;
  for (let attempt = 1; current !== null; attempt++) {
    if (await removeProject(schedulerDb(), current)) break;
    if (attempt === PROJECT_ATTEMPTS) throw new Error(`project ${project.projectId} kept changing`);
    ({ data: current } = await schedulerDb()
      .entities.project.get({ tenantId: project.tenantId, projectId: project.projectId })
      .go({ consistent: true }));
  }
  const removed = await Promise.all(projectObjectPrefixes(project).map(deletePrefix));
  return removed.reduce((sum, count) => sum + count, 0);
}

export async function addErasureCounts(
  tenantId: string,
  userId: string,
  counts: Partial<Record<ErasureCount, number>>,
): Promise<void> {
  await schedulerDb().entities.erasure.patch({ tenantId, userId }).add(counts).go();
}

export async function finishErasure(tenantId: string, userId: string, at: Date): Promise<void> {
  const finishedAt = new Date();
  await schedulerDb()
    .entities.erasure.patch({ tenantId, userId })
    .set({
      state: 'done',
      finishedAt: finishedAt.toISOString(),
      ttl: Math.floor(finishedAt.getTime() / 1000) + ERASURE_REPORT_TTL_SECONDS,
    })
    // A newer request (after this one finished) restarts it; this delivery finishes only its own.
    .where(({ requestedAt }, { lte }) => lte(requestedAt, at.toISOString()))
    .go();
}

/**
 * The user's erasure runs again (the same request: its report only grows) when it was asked for after the claim
 * or has not finished: the claim may have moved things past it.
 */
export async function eraseAgainAfterClaim(tenantId: string, userId: string, claimedAt: Date): Promise<void> {
  const { data: erasure } = await schedulerDb()
    .entities.erasure.get({ tenantId, userId })
    .go({ consistent: true, attributes: ['state', 'requestedAt'] });
  if (erasure === null) return;
  if (erasure.state !== 'running' && erasure.requestedAt < claimedAt.toISOString()) return;
  await publishEvents([{ type: 'user-erasure', tenantId, userId, at: erasure.requestedAt }]);
}
