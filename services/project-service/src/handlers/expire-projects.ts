import { logger, runSweepJob, type ProjectItem, type ScheduledEvent } from '@pixelvault/core';
import pLimit from 'p-limit';
import { projectsDb } from '../adapters/db';
import { forEachExpiredProjectPage } from '../adapters/expiry';
import { removeWithDocuments } from '../adapters/saves';

// Partitions read at once; the projects of a page are deleted one after another (several transactions each).
const PARTITIONS_AT_ONCE = 8;

/**
 * Hourly: projects past their retention (expiry index) are deleted with their references and documents, unless
 * saved meanwhile (skipped: a save moved the expiry). Their files, released, expire by their own rules.
 */
export const handler = (event: ScheduledEvent) => {
  const tally = { ProjectsDeleted: 0, ProjectsSkippedSaved: 0, ProjectsFailed: 0 };
  return runSweepJob('expireProjects', event, {
    db: projectsDb(),
    forEachPage: forEachExpiredProjectPage,
    async handle(_now, projects: ProjectItem[]) {
      for (const project of projects) {
        try {
          if (await removeWithDocuments(project)) tally.ProjectsDeleted += 1;
          else tally.ProjectsSkippedSaved += 1;
        } catch (error) {
          // The next run retries it; one project never stops the sweep.
          tally.ProjectsFailed += 1;
          logger.error('project not expired', { projectId: project.projectId, error: error as Error });
        }
      }
      return projects.length;
    },
    each: pLimit(PARTITIONS_AT_ONCE),
    outcomes: () => tally,
    failed: () => tally.ProjectsFailed,
  });
};
