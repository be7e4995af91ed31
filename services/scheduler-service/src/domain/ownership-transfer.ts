/**
 * A claim: every file, then every project, of the guest moves to the user, page by page. Each move is
 * conditional on the old owner, so a redelivery after a crash midway finds only what is left and finishes it.
 */
export interface TransferPorts<F, P> {
  forEachFilePage(onPage: (files: F[]) => Promise<void>): Promise<unknown>;
  forEachProjectPage(onPage: (projects: P[]) => Promise<void>): Promise<unknown>;
  transferFile(file: F): Promise<void>;
  transferProject(project: P): Promise<void>;
  each<T>(work: () => Promise<T>): Promise<T>;
}

export async function transferOwnership<F, P>(
  ports: TransferPorts<F, P>,
): Promise<{ files: number; projects: number }> {
  let files = 0;
  let projects = 0;
  await ports.forEachFilePage(async (page) => {
    await Promise.all(page.map((file) => ports.each(() => ports.transferFile(file))));
    files += page.length;
  });
  await ports.forEachProjectPage(async (page) => {
    await Promise.all(page.map((project) => ports.each(() => ports.transferProject(project))));
    projects += page.length;
  });
  return { files, projects };
}
