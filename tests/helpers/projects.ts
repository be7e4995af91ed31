import { randomBytes } from 'node:crypto';
import type { FileState } from '@pixelvault/core/src/entities';
import { callApi, systemDb } from './identity';

/** A project as POST, PUT and GET /v1/projects answer it (`document` on GET only). */
export interface ProjectView {
  id: string;
  title: string;
  product: { type: string };
  version: number;
  fileCount: number;
  documentBytes: number;
  fileIds: string[];
  document?: unknown;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
}

export const projectBody = (fileIds: string[] = [], document: unknown = { pages: [] }) => ({
  title: 'Summer 2026',
  product: { type: 'photo-book' },
  document,
  fileIds,
});

export const createProject = (token: string, body: unknown) =>
  callApi('POST', '/v1/projects', { token, body });

export const updateProject = (token: string, id: string, version: number | undefined, body: unknown) =>
  callApi('PUT', `/v1/projects/${id}`, {
    token,
    body,
    headers: version === undefined ? {} : { 'if-match': `"${version}"` },
  });

/** POST /v1/projects that must succeed. */
export async function createdProject(token: string, body: unknown): Promise<ProjectView> {
  const response = await createProject(token, body);
  if (response.status !== 201) throw new Error(`create project: ${response.status} ${await response.text()}`);
  return (await response.json()) as ProjectView;
}

/** PUT /v1/projects/{id} that must succeed. */
export async function savedProject(
  token: string,
  id: string,
  version: number,
  body: unknown,
): Promise<ProjectView> {
  const response = await updateProject(token, id, version, body);
  if (response.status !== 200) throw new Error(`save project: ${response.status} ${await response.text()}`);
  return (await response.json()) as ProjectView;
}

/**
 * File items written straight into the table (no upload, no processing), for tests where only a file's owner
 * and state matter. The owner of a guest is `session#<sessionId>`.
 */
export async function storedFiles(
  tenantId: string,
  owner: string,
  count: number,
  state: FileState = 'ready',
  extra: { expiresAt?: string; longTerm?: boolean } = {},
): Promise<string[]> {
  const items = Array.from({ length: count }, () => ({
    tenantId,
    owner,
    fileId: randomBytes(16).toString('base64url'),
    name: 'photo.jpg',
    contentType: 'image/jpeg',
    size: 1024,
    sha256: randomBytes(32).toString('base64'),
    state,
    ...extra,
  }));
  const { unprocessed } = await systemDb().entities.file.put(items).go({ concurrency: 4 });
  if (unprocessed.length > 0) throw new Error(`files not written: ${unprocessed.length}`);
  return items.map((item) => item.fileId);
}

/** Each file's refCount, in the order of `fileIds` (undefined for a missing file). */
export async function refCounts(tenantId: string, fileIds: string[]): Promise<Array<number | undefined>> {
  const { data } = await systemDb()
    .entities.file.get(fileIds.map((fileId) => ({ tenantId, fileId })))
    .go({ consistent: true });
  const counts = new Map(data.map((file) => [file.fileId, file.refCount]));
  return fileIds.map((id) => counts.get(id));
}

export async function setFileState(tenantId: string, fileId: string, state: FileState): Promise<void> {
  await systemDb().entities.file.patch({ tenantId, fileId }).set({ state }).go();
}

export async function projectItem(tenantId: string, projectId: string) {
  const { data } = await systemDb().entities.project.get({ tenantId, projectId }).go({ consistent: true });
  return data;
}
