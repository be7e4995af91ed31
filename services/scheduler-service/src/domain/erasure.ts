import type { ErasureCount } from '@pixelvault/core';
import type { PurgeOutcome } from './file-purge';

/**
 * Erasing a user: sessions, then projects (releasing their references, so the user's files are free), then
 * files with their objects; each page's counts are added to the report as it goes, so a redelivery after a
 * crash adds only what it removes itself, and finds only what is left.
 */
export interface ErasurePorts<S, P> {
  forEachSessionPage(onPage: (sessions: S[]) => Promise<void>): Promise<void>;
  deleteSessions(sessions: S[]): Promise<void>;
  forEachProjectPage(onPage: (projects: P[]) => Promise<void>): Promise<void>;
  /** The number of objects removed with it. */
  deleteProject(project: P): Promise<number>;
  forEachFilePage(onPage: (fileIds: string[]) => Promise<void>): Promise<void>;
  purgeFiles(fileIds: string[]): Promise<PurgeOutcome>;
  addCounts(counts: Partial<Record<ErasureCount, number>>): Promise<void>;
  finish(): Promise<void>;
}

/** Object keys per deleted file: the original and both variants. */
const OBJECTS_PER_FILE = 3;

export async function eraseUser<S, P>(ports: ErasurePorts<S, P>): Promise<void> {
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
  await ports.forEachFilePage(async (fileIds) => {
    const outcome = await ports.purgeFiles(fileIds);
    await ports.addCounts({
      files: outcome.deleted,
      objects: outcome.deleted * OBJECTS_PER_FILE,
      filesKeptPinned: outcome.skipped.pinned ?? 0,
    });
  });
  await ports.finish();
}
