import { carryOut, emptyTally, type CleanupPorts } from '../../src/domain/clean-up';
import type { PurgeRule } from '../../src/domain/file-purge';

const AT = '2026-12-01T10:00:00.000Z';

/** Ports over in-memory files: every file may go except those listed as in use; calls recorded. */
function memoryPorts(pages: string[][], inUse: string[] = []) {
  const calls: string[] = [];
  const ports: CleanupPorts<string, string> = {
    filePurge: (tenantId, at, rule: PurgeRule) => ({
      async markDeleted(fileId) {
        calls.push(`mark ${fileId} ${rule.kind} ${'owner' in rule ? rule.owner : ''} ${at.toISOString()}`);
        return inUse.includes(fileId)
          ? { skipped: 'in_use' }
          : { marked: { fileId, objectKeys: [`t/${tenantId}/${fileId}`] } };
      },
      async deleteObjects(keys) {
        calls.push(`objects ${keys.join(',')}`);
      },
      async deleteItem(fileId) {
        calls.push(`item ${fileId}`);
      },
    }),
    async removeRejectedObjects(_tenantId, fileId) {
      calls.push(`rejected ${fileId}`);
      return true;
    },
    async forEachOwnFileIdPage(_tenantId, owner, onPage) {
      calls.push(`files of ${owner}`);
      for (const page of pages) await onPage(page);
    },
    transfer: (_tenantId, fromOwner, toOwner) => ({
      forEachFilePage: async (onPage) => {
        for (const page of pages) await onPage(page);
      },
      forEachProjectPage: async (onPage) => onPage(['p1']),
      transferFile: async (file) => void calls.push(`move ${file} ${fromOwner}>${toOwner}`),
      transferProject: async (project) => void calls.push(`move ${project} ${fromOwner}>${toOwner}`),
    }),
    erasure: () => ({
      forEachSessionPage: async (onPage) => onPage(['s1']),
      deleteSessions: async (sessions) => void calls.push(`sessions ${sessions.join(',')}`),
      forEachProjectPage: async () => undefined,
      deleteProject: async () => 0,
      forEachSharePage: async () => undefined,
      deleteShares: async () => undefined,
      forEachOrderPage: async () => undefined,
      deleteOrder: async () => 0,
      addCounts: async (counts) => void calls.push(`count ${JSON.stringify(counts)}`),
      finish: async () => void calls.push('finish'),
    }),
    async eraseAgainAfterClaim(tenantId, userId, claimedAt) {
      calls.push(`erase ${tenantId} ${userId} again if asked since ${claimedAt.toISOString()}`);
    },
    async retireDocument(tenantId, projectId, documentKey) {
      calls.push(`retire ${tenantId} ${projectId} ${documentKey}`);
      return !documentKey.includes('/current');
    },
    each: (work) => work(),
  };
  return { ports, calls };
}

describe('carryOut', () => {
  it("purges a sweep's files by the expiry rule at the job's time and tallies deleted and skipped", async () => {
    // Arrange
    const { ports, calls } = memoryPorts([], ['f2']);
    const tally = emptyTally();
    // Act
    await carryOut({ type: 'files-expired', tenantId: 'shop', fileIds: ['f1', 'f2'], at: AT }, ports, tally);
    // Assert
    expect(calls).toEqual([
      `mark f1 expired  ${AT}`,
      `mark f2 expired  ${AT}`,
      'objects t/shop/f1',
      'item f1',
    ]);
    expect(tally).toMatchObject({ examined: 2, deleted: 1, skipped: { in_use: 1 } });
  });

  it("removes a rejected file's objects only, and purges a deleted file's tombstone", async () => {
    // Arrange
    const { ports, calls } = memoryPorts([]);
    const tally = emptyTally();
    const event = {
      type: 'file-state-changed',
      tenantId: 'shop',
      owner: 'session#s',
      from: 'processing',
    } as const;
    // Act
    await carryOut({ ...event, fileId: 'f1', to: 'rejected', at: AT }, ports, tally);
    await carryOut({ ...event, fileId: 'f2', to: 'deleted', at: AT }, ports, tally);
    // Assert
    expect(calls).toEqual(['rejected f1', `mark f2 deleted  ${AT}`, 'objects t/shop/f2', 'item f2']);
    expect(tally).toMatchObject({ rejectedCleared: 1, deleted: 1 });
  });

  it("purges a logged-out guest's files page by page under the session's own rule", async () => {
    // Arrange
    const { ports, calls } = memoryPorts([['f1'], ['f2']]);
    const tally = emptyTally();
    const sessionId = 'abcdefghijklmnop';
    // Act
    await carryOut({ type: 'session-ended', tenantId: 'shop', sessionId, at: AT }, ports, tally);
    // Assert
    expect(calls.filter((call) => call.startsWith('mark'))).toEqual([
      `mark f1 session-ended session#${sessionId} ${AT}`,
      `mark f2 session-ended session#${sessionId} ${AT}`,
    ]);
    expect(tally.deleted).toBe(2);
  });

  it('moves a guest to the user and counts files and projects', async () => {
    // Arrange
    const { ports, calls } = memoryPorts([['f1', 'f2']]);
    const tally = emptyTally();
    // Act
    await carryOut(
      { type: 'ownership-transfer', tenantId: 'shop', fromOwner: 'session#s', toOwner: 'user#u', at: AT },
      ports,
      tally,
    );
    // Assert
    expect(calls).toEqual([
      'move f1 session#s>user#u',
      'move f2 session#s>user#u',
      'move p1 session#s>user#u',
      `erase shop u again if asked since ${AT}`,
    ]);
    expect(tally).toMatchObject({ transferredFiles: 2, transferredProjects: 1 });
  });

  it("erases a user's sessions, then purges the user's files under the erasure rule, then finishes", async () => {
    // Arrange
    const { ports, calls } = memoryPorts([['f1']]);
    const tally = emptyTally();
    // Act
    await carryOut({ type: 'user-erasure', tenantId: 'shop', userId: 'u-1', at: AT }, ports, tally);
    // Assert
    expect(calls).toEqual([
      'sessions s1',
      'count {"sessions":1}',
      'files of user#u-1',
      `mark f1 erasure user#u-1 ${AT}`,
      'objects t/shop/f1',
      'item f1',
      'count {"files":1,"objects":3,"filesKeptPinned":0}',
      'finish',
    ]);
    expect(tally.deleted).toBe(1);
  });

  it("retires a project's superseded document, counting only what was deleted", async () => {
    // Arrange
    const { ports, calls } = memoryPorts([]);
    const tally = emptyTally();
    const work = { type: 'document-superseded', tenantId: 'shop', projectId: 'p-1', at: AT } as const;
    const old = 't/shop/o/user#u/p/p-1/document/2-0011223344556677.json';
    const current = 't/shop/o/user#u/p/p-1/document/current.json';
    // Act
    await carryOut({ ...work, documentKey: old }, ports, tally);
    await carryOut({ ...work, documentKey: current }, ports, tally);
    // Assert
    expect(calls).toEqual([`retire shop p-1 ${old}`, `retire shop p-1 ${current}`]);
    expect(tally.documentsRetired).toBe(1);
  });

  it.each([
    ['another tenant', 't/other/o/user#u/p/p-1/document/2-a.json'],
    ['another project', 't/shop/o/user#u/p/p-2/document/2-a.json'],
    ['a file of the owner', 't/shop/o/user#u/f/p-1/original'],
    ['a deeper path', 't/shop/o/user#u/p/p-1/document/x/2-a.json'],
  ])('refuses to retire %s as a superseded document, deleting nothing', async (_what, documentKey) => {
    // Arrange
    const { ports, calls } = memoryPorts([]);
    // Act
    const carried = carryOut(
      { type: 'document-superseded', tenantId: 'shop', projectId: 'p-1', documentKey, at: AT },
      ports,
      emptyTally(),
    );
    // Assert
    await expect(carried).rejects.toThrow('is not a document of project p-1');
    expect(calls).toEqual([]);
  });
});
