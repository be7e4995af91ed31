import {
  chunksOf,
  ID_PATTERN,
  listPage,
  isConditionalCheckFailed,
  MAX_REFERENCE_CHANGES,
  referenceWrites,
  removeProject,
  expiryFields,
  SHARE_TOKEN_PATTERN,
  shareIdOf,
  type ListRequest,
  type Owner,
  type ProjectItem,
} from '@pixelvault/core';
import { projectsDb, runTransaction } from './db';
import type { FileProblem, ProjectContent } from '../domain/saving';

/** Whose projects: a tenant's guest (`session#`) or user (`user#`). */
export interface OwnerKey {
  tenantId: string;
  owner: Owner;
}

/** Where a document is stored: in the item (`documentJson`) or in S3 (`documentKey`). */
export type StoredDocument = { documentJson: string } | { documentKey: string };

/** The outcome of a transactional save: written, beaten by another writer, or refused by some files. */
export type SaveOutcome = { saved: ProjectItem } | { stale: true } | { unusableFileIds: string[] };

/**
 * The owner's project, or undefined: another owner's, a malformed id and (unless `includePending`, for the
 * DELETE that finishes it) one in the middle of a copy or delete all look alike. Strongly consistent, so a save
 * compares If-Match with the latest version.
 */
export async function findOwnProject(
  key: OwnerKey,
  projectId: string,
  { includePending = false } = {},
): Promise<ProjectItem | undefined> {
  const project = await findProject(key.tenantId, projectId);
  if (!project || project.owner !== key.owner || (project.pending !== undefined && !includePending)) {
    return undefined;
  }
  return project;
}

/** Any owner's project of the tenant (a share grants access to it), or undefined. */
export async function findProject(tenantId: string, projectId: string): Promise<ProjectItem | undefined> {
  if (!ID_PATTERN.test(projectId)) return undefined;
  const { data } = await projectsDb().entities.project.get({ tenantId, projectId }).go({ consistent: true });
  return data ?? undefined;
}

/**
 * The project a share token opens, or undefined when the token is unknown, revoked or expired, or its project
 * is gone, pending or no longer its sharer's. Only the token's hash is looked up.
 */
export async function sharedProject(tenantId: string, shareToken: string): Promise<ProjectItem | undefined> {
  if (!SHARE_TOKEN_PATTERN.test(shareToken)) return undefined;
  const { data: share } = await projectsDb()
    .entities.projectShare.get({ tenantId, shareId: shareIdOf(shareToken) })
    .go({ consistent: true });
  if (!share || share.revokedAt !== undefined || share.expiresAt <= new Date().toISOString())
    return undefined;
  const project = await findProject(tenantId, share.projectId);
  if (!project || project.owner !== share.owner || project.pending !== undefined) return undefined;
  return project;
}

/** Records a share of the owner's project; the token itself is never stored. */
export async function insertShare(
  key: OwnerKey,
  share: { projectId: string; shareToken: string; expiresAt: string },
): Promise<void> {
  await projectsDb()
    .entities.projectShare.create({
      tenantId: key.tenantId,
      owner: key.owner,
      projectId: share.projectId,
      shareId: shareIdOf(share.shareToken),
      expiresAt: share.expiresAt,
    })
    .go();
}

/** Revokes a share of the owner's project; false when there is no such share. */
export async function revokeShare(key: OwnerKey, projectId: string, shareToken: string): Promise<boolean> {
  if (!SHARE_TOKEN_PATTERN.test(shareToken)) return false;
  try {
    await projectsDb()
      .entities.projectShare.patch({ tenantId: key.tenantId, shareId: shareIdOf(shareToken) })
      .set({ revokedAt: new Date().toISOString() })
      .where(
        ({ owner, projectId: shared }, { eq }) =>
          `${eq(owner, key.owner as string)} AND ${eq(shared, projectId)}`,
      )
      .go();
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** One page of the owner's projects, newest first, without their documents. */
export async function listOwnProjects(
  key: OwnerKey,
  { limit, cursor }: ListRequest,
): Promise<{ items: ProjectItem[]; nextCursor: string | null }> {
  return listPage(cursor, async () => {
    const { data, cursor: nextCursor } = await projectsDb()
      .entities.project.query.byOwner(key)
      .where(({ pending }, { notExists }) => notExists(pending))
      .go({
        order: 'desc',
        count: limit,
        cursor,
        // No documents; the key attributes stay, as ElectroDB builds the cursor of a `count` page from them.
        attributes: [
          'tenantId',
          'owner',
          'projectId',
          'title',
          'product',
          'version',
          'fileIds',
          'documentBytes',
          'createdAt',
          'updatedAt',
          'expiresAt',
        ],
      });
    return { items: data as ProjectItem[], nextCursor };
  });
}

/**
 * Why each of `fileIds` cannot be referenced by the owner's project; usable files are not in the map. Files
 * the project already references (`retained`: also those a copy inherited from another owner) need only be
 * usable; new ones must be the owner's.
 */
export async function fileProblems(
  key: OwnerKey,
  fileIds: readonly string[],
  retained: ReadonlySet<string> = new Set(),
): Promise<Map<string, FileProblem>> {
  const problems = new Map<string, FileProblem>();
  if (fileIds.length === 0) return problems;
  const { data, unprocessed } = await projectsDb()
    .entities.file.get(fileIds.map((fileId) => ({ tenantId: key.tenantId, fileId })))
    .go({ attributes: ['fileId', 'owner', 'state'], concurrency: 4 });
  if (unprocessed.length > 0) throw new Error(`BatchGetItem left ${unprocessed.length} files unread`);
  const found = new Map(data.map((file) => [file.fileId, file]));
  for (const fileId of fileIds) {
    const file = found.get(fileId);
    const foreign = file !== undefined && file.owner !== key.owner && !retained.has(fileId);
    if (!file || foreign || file.state === 'deleted') problems.set(fileId, 'not_found');
    else if (file.state === 'rejected') problems.set(fileId, 'rejected');
  }
  return problems;
}

const documentFields = (stored: StoredDocument) =>
  'documentJson' in stored
    ? { set: { documentJson: stored.documentJson }, remove: ['documentKey'] as const }
    : { set: { documentKey: stored.documentKey }, remove: ['documentJson'] as const };

/**
 * Creates the project and counts its files in one transaction. A new project or a copy (`inherited`: its files
 * come from the shared project, whoever owns them) with more references than one transaction holds is created
 * pending `creating` (404) with the first 99, each further transaction appends 99 to `fileIds` and counts them,
 * and the last step clears `pending`. If a step fails, the steps before it are undone the way a delete releases
 * them, so no count drifts.
 */
export async function insertProject(
  key: OwnerKey,
  project: {
    projectId: string;
    savedAt: string;
    expiresAt: string;
    content: ProjectContent;
    stored: StoredDocument;
    inherited?: boolean;
  },
): Promise<SaveOutcome> {
  const { content, savedAt } = project;
  const projectKey = { tenantId: key.tenantId, projectId: project.projectId };
  const addedOwner = project.inherited ? undefined : key.owner;
  const [first = [], ...rest] = chunksOf(content.fileIds, MAX_REFERENCE_CHANGES);
  const item = {
    ...projectKey,
    owner: key.owner,
    title: content.title,
    product: content.product,
    documentBytes: content.documentBytes,
    fileIds: first,
    version: 1,
    createdAt: savedAt,
    updatedAt: savedAt,
    ...expiryFields(project.projectId, project.expiresAt),
    ...documentFields(project.stored).set,
    ...(rest.length > 0 ? { pending: 'creating' as const } : {}),
  };
  const failure = await runTransaction(
    ({ project: projects, file }) => [
      projects.create(item).commit(),
      ...referenceWrites({ file }, key.tenantId, { added: first, removed: [], addedOwner }),
    ],
    first,
  );
  if (failure) return failure;
  let counted = first;
  for (const chunk of rest) {
    const fileIds = [...counted, ...chunk];
    const chunkFailure = await runTransaction(
      ({ project: projects, file }) => [
        projects
          .patch(projectKey)
          .set({ fileIds })
          .where(({ pending }, { eq }) => eq(pending, 'creating'))
          .commit(),
        ...referenceWrites({ file }, key.tenantId, { added: chunk, removed: [], addedOwner }),
      ],
      chunk,
    );
    if (chunkFailure) {
      await removeProject(projectsDb(), { ...item, fileIds: counted });
      return chunkFailure;
    }
    counted = fileIds;
  }
  if (rest.length > 0) {
    await projectsDb().entities.project.patch(projectKey).remove(['pending']).go();
  }
  const { pending: _pending, ...saved } = item as typeof item & { pending?: string };
  return { saved: { ...saved, fileIds: counted } as ProjectItem };
}

/**
 * Writes version `expected + 1` only while the project is still at `expected`, and moves the refCounts of the
 * files added and removed, all in one transaction: a failure anywhere leaves every count as it was.
 */
export async function updateProject(
  key: OwnerKey,
  current: ProjectItem,
  update: {
    expected: number;
    savedAt: string;
    expiresAt: string;
    content: ProjectContent;
    stored: StoredDocument;
    changes: { added: string[]; removed: string[] };
  },
): Promise<SaveOutcome> {
  const { content, changes } = update;
  const document = documentFields(update.stored);
  const changed = {
    updatedAt: update.savedAt,
    title: content.title,
    product: content.product,
    documentBytes: content.documentBytes,
    fileIds: content.fileIds,
    version: update.expected + 1,
    ...expiryFields(current.projectId, update.expiresAt),
    ...document.set,
  };
  const projectOwner: string = key.owner;
  const failure = await runTransaction(
    ({ project, file }) => [
      project
        .patch({ tenantId: key.tenantId, projectId: current.projectId })
        .set(changed)
        .remove([...document.remove])
        .where(
          ({ owner, version, pending }, { eq, notExists }) =>
            `${eq(owner, projectOwner)} AND ${eq(version, update.expected)} AND ${notExists(pending)}`,
        )
        .commit(),
      ...referenceWrites({ file }, key.tenantId, { ...changes, addedOwner: key.owner }),
    ],
    [...changes.added, ...changes.removed],
  );
  if (failure) return failure;
  const { documentJson: _json, documentKey: _key, ...rest } = current;
  return { saved: { ...rest, ...changed } as ProjectItem };
}
