import {
  createDb,
  ID_PATTERN,
  invalidCursor,
  projectExpiryFields,
  type Db,
  type ListRequest,
  type Owner,
  type ProjectItem,
} from '@pixelvault/core';
import type { RetentionSettings } from '../domain/retention';
import { MAX_REFERENCE_CHANGES, type FileProblem, type ProjectContent } from '../domain/saving';

let db: Db | undefined;

const projectsDb = (): Db => (db ??= createDb());

interface OwnerKey {
  tenantId: string;
  owner: Owner;
}

/** Where a document is stored: in the item (`documentJson`) or in S3 (`documentKey`). */
export type StoredDocument = { documentJson: string } | { documentKey: string };

/** The outcome of a transactional save: written, beaten by another writer, or refused by some files. */
export type SaveOutcome = { saved: ProjectItem } | { stale: true } | { unusableFileIds: string[] };

export async function tenantRetention(tenantId: string): Promise<RetentionSettings | undefined> {
  const { data } = await projectsDb()
    .entities.tenant.get({ tenantId })
    .go({ attributes: ['settings'] });
  return data?.settings;
}

/**
 * The owner's project, or undefined: another owner's, one being deleted and a malformed id all look alike.
 * Strongly consistent, so a save compares If-Match with the latest version.
 */
export async function findOwnProject(
  key: OwnerKey,
  projectId: string,
  { includeDeleting = false } = {},
): Promise<ProjectItem | undefined> {
  if (!ID_PATTERN.test(projectId)) return undefined;
  const { data } = await projectsDb()
    .entities.project.get({ tenantId: key.tenantId, projectId })
    .go({ consistent: true });
  if (!data || data.owner !== key.owner || (data.deleting === true && !includeDeleting)) return undefined;
  return data;
}

/** One page of the owner's projects, newest first, without their documents. */
export async function listOwnProjects(
  key: OwnerKey,
  { limit, cursor }: ListRequest,
): Promise<{ items: ProjectItem[]; nextCursor: string | null }> {
  try {
    const { data, cursor: nextCursor } = await projectsDb()
      .entities.project.query.byOwner(key)
      .where(({ deleting }, { notExists }) => notExists(deleting))
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
  } catch (error) {
    if (
      cursor !== undefined &&
      (error as { cause?: { name?: string } }).cause?.name === 'ValidationException'
    ) {
      throw invalidCursor();
    }
    throw error;
  }
}

/** Why each of `fileIds` cannot be referenced by the owner's project; usable files are not in the map. */
export async function fileProblems(
  key: OwnerKey,
  fileIds: readonly string[],
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
    if (!file || file.owner !== key.owner || file.state === 'deleted') problems.set(fileId, 'not_found');
    else if (file.state === 'rejected') problems.set(fileId, 'rejected');
  }
  return problems;
}

type WriteTransaction = Parameters<Db['transaction']['write']>[0];
type Entities = Parameters<WriteTransaction>[0];
type TransactionItem = ReturnType<WriteTransaction>[number];

/**
 * The refCount changes of a save: +1 on each added file, conditional on it being the owner's and usable; -1
 * on each removed file, conditional on it being the owner's and counted (a count never goes below zero).
 */
function referenceWrites(
  { file }: Pick<Entities, 'file'>,
  key: OwnerKey,
  { added, removed }: { added: readonly string[]; removed: readonly string[] },
): TransactionItem[] {
  const fileOwner: string = key.owner;
  return [
    ...added.map((fileId) =>
      file
        .patch({ tenantId: key.tenantId, fileId })
        .add({ refCount: 1 })
        .where(
          ({ owner, state }, { eq, ne }) =>
            `${eq(owner, fileOwner)} AND ${ne(state, 'rejected')} AND ${ne(state, 'deleted')}`,
        )
        .commit(),
    ),
    ...removed.map((fileId) =>
      file
        .patch({ tenantId: key.tenantId, fileId })
        .subtract({ refCount: 1 })
        .where(({ owner, refCount }, { eq, gt }) => `${eq(owner, fileOwner)} AND ${gt(refCount, 0)}`)
        .commit(),
    ),
  ];
}

/** Transaction conflicts (another transaction on the same items in flight) are retried this often. */
const CONFLICT_ATTEMPTS = 3;

/**
 * Runs a write transaction whose first item is the project and the rest file references. A condition failure
 * of the project means another writer won; of a file, that file is unusable. Conflicts are retried: every item
 * is conditional, so a retry never applies a change twice.
 */
async function runSave(
  build: (entities: Entities) => TransactionItem[],
  fileIdsInOrder: readonly string[],
): Promise<{ stale: true } | { unusableFileIds: string[] } | undefined> {
  for (let attempt = 1; ; attempt++) {
    const { canceled, data } = await projectsDb().transaction.write(build).go();
    if (!canceled) return undefined;
    const codes = (data as { code: string }[]).map((result) => result.code);
    if (codes.includes('TransactionConflict') && attempt < CONFLICT_ATTEMPTS) {
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      continue;
    }
    if (codes[0] === 'ConditionalCheckFailed' || codes[0] === 'TransactionConflict') return { stale: true };
    const unusableFileIds = fileIdsInOrder.filter(
      (_id, index) => codes[index + 1] === 'ConditionalCheckFailed',
    );
    if (unusableFileIds.length > 0) return { unusableFileIds };
    throw new Error(`Transaction canceled: ${codes.join(', ')}`);
  }
}

const documentFields = (stored: StoredDocument) =>
  'documentJson' in stored
    ? { set: { documentJson: stored.documentJson }, remove: ['documentKey'] as const }
    : { set: { documentKey: stored.documentKey }, remove: ['documentJson'] as const };

/** Creates the project and counts its files, in one transaction. */
export async function insertProject(
  key: OwnerKey,
  project: {
    projectId: string;
    savedAt: string;
    expiresAt: string;
    content: ProjectContent;
    stored: StoredDocument;
  },
): Promise<SaveOutcome> {
  const { content, savedAt } = project;
  const item = {
    tenantId: key.tenantId,
    projectId: project.projectId,
    owner: key.owner,
    title: content.title,
    product: content.product,
    documentBytes: content.documentBytes,
    fileIds: content.fileIds,
    version: 1,
    createdAt: savedAt,
    updatedAt: savedAt,
    ...projectExpiryFields(project.projectId, project.expiresAt),
    ...documentFields(project.stored).set,
  };
  const failure = await runSave(
    ({ project: projects, file }) => [
      projects.create(item).commit(),
      ...referenceWrites({ file }, key, { added: content.fileIds, removed: [] }),
    ],
    content.fileIds,
  );
  return failure ?? { saved: item as ProjectItem };
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
    ...projectExpiryFields(current.projectId, update.expiresAt),
    ...document.set,
  };
  const projectOwner: string = key.owner;
  const failure = await runSave(
    ({ project, file }) => [
      project
        .patch({ tenantId: key.tenantId, projectId: current.projectId })
        .set(changed)
        .remove([...document.remove])
        .where(
          ({ owner, version, deleting }, { eq, notExists }) =>
            `${eq(owner, projectOwner)} AND ${eq(version, update.expected)} AND ${notExists(deleting)}`,
        )
        .commit(),
      ...referenceWrites({ file }, key, changes),
    ],
    [...changes.added, ...changes.removed],
  );
  if (failure) return failure;
  const { documentJson: _json, documentKey: _key, ...rest } = current;
  return { saved: { ...rest, ...changed } as ProjectItem };
}

/**
 * Deletes the project and releases its files. Up to MAX_REFERENCE_CHANGES references go in the transaction
 * that deletes the item; a larger project first releases the rest in chunks, each chunk removed from `fileIds`
 * in the same transaction that decrements its files, and marks itself `deleting` (404 from then on). A crash
 * between steps leaves a consistent, hidden project that the next DELETE finishes. False when another writer
 * changed the project meanwhile.
 */
export async function removeProject(key: OwnerKey, current: ProjectItem): Promise<boolean> {
  const projectOwner: string = key.owner;
  const projectKey = { tenantId: key.tenantId, projectId: current.projectId };
  let { version, fileIds } = current;
  while (fileIds.length > MAX_REFERENCE_CHANGES) {
    const kept = fileIds.slice(0, fileIds.length - MAX_REFERENCE_CHANGES);
    const released = fileIds.slice(kept.length);
    const expected = version;
    const failure = await runSave(
      ({ project, file }) => [
        project
          .patch(projectKey)
          .set({ fileIds: kept, deleting: true, version: expected + 1 })
          .where(({ owner, version: v }, { eq }) => `${eq(owner, projectOwner)} AND ${eq(v, expected)}`)
          .commit(),
        ...referenceWrites({ file }, key, { added: [], removed: released }),
      ],
      released,
    );
    if (failure && 'stale' in failure) return false;
    if (failure)
      throw new Error(
        `Files not counted for project ${current.projectId}: ${failure.unusableFileIds.join(', ')}`,
      );
    version = expected + 1;
    fileIds = kept;
  }
  const failure = await runSave(
    ({ project, file }) => [
      project
        .delete(projectKey)
        .where(({ owner, version: v }, { eq }) => `${eq(owner, projectOwner)} AND ${eq(v, version)}`)
        .commit(),
      ...referenceWrites({ file }, key, { added: [], removed: fileIds }),
    ],
    fileIds,
  );
  if (failure && 'stale' in failure) return false;
  if (failure)
    throw new Error(
      `Files not counted for project ${current.projectId}: ${failure.unusableFileIds.join(', ')}`,
    );
  return true;
}
