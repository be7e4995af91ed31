import {
  deletePrefix,
  ERASURE_REPORT_TTL_SECONDS,
  projectObjectPrefixes,
  removeProject,
  userOwner,
  type ErasureCount,
  type ProjectItem,
} from '@pixelvault/core';
import { schedulerDb } from './db';

/** The user's sessions a page at a time (gsi1: a user's sessions share the owner partition). */
export async function forEachUserSessionPage(
  tenantId: string,
  userId: string,
  onPage: (sessionIds: string[]) => Promise<void>,
): Promise<void> {
  let cursor: string | null = null;
  do {
    const page: { data: Array<{ sessionId: string }>; cursor: string | null } = await schedulerDb()
      .entities.session.query.byUser({ tenantId, owner: userOwner(userId) })
      .go({ cursor, limit: 100 });
    if (page.data.length > 0) await onPage(page.data.map((session) => session.sessionId));
    cursor = page.cursor;
  } while (cursor !== null);
}

export async function deleteSessions(tenantId: string, sessionIds: string[]): Promise<void> {
  const { unprocessed } = await schedulerDb()
    .entities.session.delete(sessionIds.map((sessionId) => ({ tenantId, sessionId })))
    .go();
  if (unprocessed.length > 0) throw new Error(`${unprocessed.length} sessions not deleted`);
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
