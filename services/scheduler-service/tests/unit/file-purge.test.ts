import { purgeFiles, type FileMark, type FilePurgePorts } from '../../src/domain/file-purge';

/** Ports over an in-memory table and bucket, recording the order of the steps. */
function memoryPorts(marks: Record<string, FileMark>) {
  const steps: string[] = [];
  const objects = new Set(
    Object.values(marks).flatMap((mark) => ('marked' in mark ? mark.marked.objectKeys : [])),
  );
  const ports: FilePurgePorts = {
    async markDeleted(fileId) {
      steps.push(`mark ${fileId}`);
      return marks[fileId] ?? { skipped: 'gone' };
    },
    async deleteObjects(keys) {
      steps.push(`objects ${keys.length}`);
      for (const key of keys) objects.delete(key);
    },
    async deleteItem(fileId) {
      steps.push(`item ${fileId}`);
    },
  };
  return { ports, steps, objects };
}

const keysOf = (fileId: string) =>
  ['original', 'thumbnail', 'preview'].map((o) => `t/a/o/session#s/f/${fileId}/${o}`);

describe('purgeFiles', () => {
  it('marks every file, then deletes the marked files objects in one call, then their items; skipped ones keep all', async () => {
    // Arrange
    const { ports, steps, objects } = memoryPorts({
      f1: { marked: { fileId: 'f1', objectKeys: keysOf('f1') } },
      f2: { skipped: 'in_use' },
      f3: { marked: { fileId: 'f3', objectKeys: keysOf('f3') } },
    });
    // Act
    const outcome = await purgeFiles(['f1', 'f2', 'f3', 'f1'], ports, (work) => work());
    // Assert
    expect(outcome).toEqual({ examined: 3, deleted: 2, skipped: { in_use: 1 } });
    expect(steps).toEqual(['mark f1', 'mark f2', 'mark f3', 'objects 6', 'item f1', 'item f3']);
    expect(objects.size).toBe(0);
  });

  it('deletes no objects and no items when every file is skipped', async () => {
    // Arrange
    const { ports, steps } = memoryPorts({ f1: { skipped: 'pinned' }, f2: { skipped: 'not_expired' } });
    // Act
    const outcome = await purgeFiles(['f1', 'f2', 'f3'], ports, (work) => work());
    // Assert
    expect(outcome).toEqual({ examined: 3, deleted: 0, skipped: { pinned: 1, not_expired: 1, gone: 1 } });
    expect(steps).toEqual(['mark f1', 'mark f2', 'mark f3']);
  });

  it('deletes no item when removing the objects fails, so the redelivery finds the tombstones and finishes', async () => {
    // Arrange
    const { ports, steps } = memoryPorts({ f1: { marked: { fileId: 'f1', objectKeys: keysOf('f1') } } });
    ports.deleteObjects = async () => {
      steps.push('objects failed');
      throw new Error('S3 unavailable');
    };
    // Act
    const purge = purgeFiles(['f1'], ports, (work) => work());
    // Assert
    await expect(purge).rejects.toThrow('S3 unavailable');
    expect(steps).toEqual(['mark f1', 'objects failed']);
  });
});
