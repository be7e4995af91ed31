import { FILE_OBJECTS, type ErasureCount } from '@pixelvault/core';
import type { PurgeOutcome } from './file-purge';

/**
 * Erasing a user: sessions (revoked, then deleted), projects (releasing their references, so the user's files
 * are free), shares, orders (unpinning their files), then files with their objects; each page's counts are
 * added to the report as it goes, so a redelivery after a crash adds only what it removes itself, and finds
 * only what is left.
 */
export interface ErasurePorts<S = unknown, P = unknown, H = unknown, O = unknown> {
  forEachSessionPage(onPage: (sessions: S[]) => Promise<void>): Promise<unknown>;
  /** Revokes every token of the sessions, then deletes them. */
  deleteSessions(sessions: S[]): Promise<void>;
  forEachProjectPage(onPage: (projects: P[]) => Promise<void>): Promise<unknown>;
  /** The number of objects removed with it. */
  deleteProject(project: P): Promise<number>;
  forEachSharePage(onPage: (shares: H[]) => Promise<void>): Promise<unknown>;
  deleteShares(shares: H[]): Promise<void>;
  forEachOrderPage(onPage: (orders: O[]) => Promise<void>): Promise<unknown>;
  /** Unpins its files and deletes it; the number of objects (frozen documents) removed with it. */
  deleteOrder(order: O): Promise<number>;
  forEachFilePage(onPage: (fileIds: string[]) => Promise<void>): Promise<unknown>;
  purgeFiles(fileIds: string[]): Promise<PurgeOutcome>;
  addCounts(counts: Partial<Record<ErasureCount, number>>): Promise<void>;
  finish(): Promise<void>;
}

export async function eraseUser<S, P, H, O>(ports: ErasurePorts<S, P, H, O>): Promise<void> {
  await ports.forEachSessionPage(async (sessions) => {
    await ports.deleteSessions(sessions);
    await ports.addCounts({ sessions: sessions.length });
  });
  await ports.forEachProjectPage(async (projects) => {
    let objects = 0;
    for (const project of projects) {
      const removed = await ports.deleteProject(project);
      objects += removed;
    }
    await ports.addCounts({ projects: projects.length, objects });
  });
  await ports.forEachSharePage(async (shares) => {
    await ports.deleteShares(shares);
    await ports.addCounts({ shares: shares.length });
  });
  const eraseOrders = async () => {
    let found = 0;
    await ports.forEachOrderPage(async (orders) => {
      let objects = 0;
      for (const order of orders) objects += await ports.deleteOrder(order);
      found += orders.length;
      await ports.addCounts({ orders: orders.length, objects });
    });
    return found;
  };
  const eraseFiles = () =>
    ports.forEachFilePage(async (fileIds) => {
      const outcome = await ports.purgeFiles(fileIds);
      await ports.addCounts({
        files: outcome.deleted,
        objects: outcome.deleted * FILE_OBJECTS.length,
        filesKeptPinned: outcome.skipped.pinned ?? 0,
      });
    });
  await eraseOrders();
  await eraseFiles();
  // The user's tokens are revoked and no new session can start, but a partner may still have placed an order
  // (on a project read before it went): one last look, so no order pins a file of the user once it is done.
  if ((await eraseOrders()) > 0) await eraseFiles();
  await ports.finish();
}
