import type { ErasureCount } from '@pixelvault/core';
import { eraseUser, type ErasurePorts } from '../../src/domain/erasure';

type Ports = ErasurePorts<string, string, string, string>;

/** Ports over in-memory pages that log each step; `orderPages` are handed out one call of forEachOrderPage each. */
function recordingPorts(orderPages: string[][][]) {
  const steps: string[] = [];
  const counts: Partial<Record<ErasureCount, number>>[] = [];
  const ports: Ports = {
    forEachSessionPage: async (onPage) => onPage(['s1', 's2']),
    deleteSessions: async (sessions) => {
      steps.push(`sessions ${sessions.join(',')}`);
    },
    forEachProjectPage: async (onPage) => onPage(['p1']),
    deleteProject: async (project) => {
      steps.push(`project ${project}`);
      return 2;
    },
    forEachSharePage: async (onPage) => onPage(['h1']),
    deleteShares: async (shares) => {
      steps.push(`shares ${shares.join(',')}`);
    },
    forEachOrderPage: async (onPage) => {
      for (const page of orderPages.shift() ?? []) await onPage(page);
    },
    deleteOrder: async (order) => {
      steps.push(`order ${order}`);
      return 1;
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
  };
  return { ports, steps, counts };
}

describe('eraseUser', () => {
  it('removes sessions, projects, shares, orders, then files, adding each page to the report, and finishes last', async () => {
    // Arrange
    const { ports, steps, counts } = recordingPorts([[['o1', 'o2']], []]);
    // Act
    await eraseUser(ports);
    // Assert
    expect(steps).toEqual([
      'sessions s1,s2',
      'project p1',
      'shares h1',
      'order o1',
      'order o2',
      'files f1,f2',
      'files f3',
      'finish',
    ]);
    expect(counts).toEqual([
      { sessions: 2 },
      { projects: 1, objects: 2 },
      { shares: 1 },
      { orders: 2, objects: 2 },
      { files: 2, objects: 6, filesKeptPinned: 0 },
      { files: 0, objects: 0, filesKeptPinned: 1 },
    ]);
  });

  it('takes one last look for orders after the files, and purges the files again when it finds one', async () => {
    // Arrange: no order at first; one placed meanwhile shows up on the last look
    const { ports, steps, counts } = recordingPorts([[], [['late']]]);
    // Act
    await eraseUser(ports);
    // Assert
    expect(steps.slice(3)).toEqual([
      'files f1,f2',
      'files f3',
      'order late',
      'files f1,f2',
      'files f3',
      'finish',
    ]);
    expect(counts).toContainEqual({ orders: 1, objects: 1 });
  });

  it('does not purge the files twice when the last look finds no order', async () => {
    // Arrange
    const { ports, steps } = recordingPorts([[['o1']], []]);
    // Act
    await eraseUser(ports);
    // Assert
    expect(steps.filter((step) => step.startsWith('files'))).toEqual(['files f1,f2', 'files f3']);
  });
});
