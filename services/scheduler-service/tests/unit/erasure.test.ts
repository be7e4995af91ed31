import type { ErasureCount } from '@pixelvault/core';
import { eraseUser } from '../../src/domain/erasure';

describe('eraseUser', () => {
  it('removes sessions, then projects, then files, adding each page to the report, and finishes last', async () => {
    // Arrange
    const steps: string[] = [];
    const counts: Partial<Record<ErasureCount, number>>[] = [];
    // Act
    await eraseUser<string, string>({
      forEachSessionPage: async (onPage) => onPage(['s1', 's2']),
      deleteSessions: async (sessions) => {
        steps.push(`sessions ${sessions.join(',')}`);
      },
      forEachProjectPage: async (onPage) => onPage(['p1']),
      deleteProject: async (project) => {
        steps.push(`project ${project}`);
        return 2;
      },
      forEachFilePage: async (onPage) => {
        await onPage(['f1', 'f2']);
        await onPage(['f3']);
      },
      purgeFiles: async (fileIds) => {
        steps.push(`files ${fileIds.join(',')}`);
        return fileIds.includes('f3')
          ? { examined: 1, deleted: 0, skipped: { pinned: 1 } }
          : { examined: 2, deleted: 2, skipped: {} };
      },
      addCounts: async (added) => {
        counts.push(added);
      },
      finish: async () => {
        steps.push('finish');
      },
    });
    // Assert
    expect(steps).toEqual(['sessions s1,s2', 'project p1', 'files f1,f2', 'files f3', 'finish']);
    expect(counts).toEqual([
      { sessions: 2 },
      { projects: 1, objects: 2 },
      { files: 2, objects: 6, filesKeptPinned: 0 },
      { files: 0, objects: 0, filesKeptPinned: 1 },
    ]);
  });
});
