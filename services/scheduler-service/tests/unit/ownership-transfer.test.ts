import { transferOwnership } from '../../src/domain/ownership-transfer';

describe('transferOwnership', () => {
  it('moves every file, page by page, before any project, and counts both', async () => {
    // Arrange
    const steps: string[] = [];
    const filePages = [['f1', 'f2'], ['f3']];
    const projectPages = [['p1']];
    // Act
    const moved = await transferOwnership<string, string>({
      forEachFilePage: async (onPage) => {
        for (const page of filePages) await onPage(page);
      },
      forEachProjectPage: async (onPage) => {
        for (const page of projectPages) await onPage(page);
      },
      transferFile: async (file) => {
        steps.push(file);
      },
      transferProject: async (project) => {
        steps.push(project);
      },
      each: (work) => work(),
    });
    // Assert
    expect(moved).toEqual({ files: 3, projects: 1 });
    expect(steps).toEqual(['f1', 'f2', 'f3', 'p1']);
  });

  it('stops at the first failed move, so the redelivery resumes from what is left', async () => {
    // Arrange
    const moved: string[] = [];
    // Act
    const transfer = transferOwnership<string, string>({
      forEachFilePage: async (onPage) => {
        await onPage(['f1']);
        await onPage(['f2']);
      },
      forEachProjectPage: async (onPage) => onPage(['p1']),
      transferFile: async (file) => {
        if (file === 'f2') throw new Error('changed meanwhile');
        moved.push(file);
      },
      transferProject: async (project) => {
        moved.push(project);
      },
      each: (work) => work(),
    });
    // Assert
    await expect(transfer).rejects.toThrow('changed meanwhile');
    expect(moved).toEqual(['f1']);
  });
});
