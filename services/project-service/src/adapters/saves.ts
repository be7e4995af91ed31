import {
  conflict,
  newProjectId,
  notFound,
  projectDocumentKey,
  projectExpiry,
  projectObjectPrefixes,
  type ProjectItem,
  removeProject,
  tenantSettings,
} from '@pixelvault/core';
import {
  isInlineDocument,
  referenceChanges,
  staleVersion,
  unusableFiles,
  type ProjectContent,
} from '../domain/saving';
import { projectsDb } from './db';
import {
  discardDocument,
  discardProjectObjects,
  putDocument,
  readDocument,
  sendSupersededDocument,
} from './documents';
import {
  fileProblems,
  findOwnProject,
  insertProject,
  sharedProject,
  updateProject,
  type OwnerKey,
  type SaveOutcome,
  type StoredDocument,
} from './projects';

/**
 * Checks every file the content references (400 naming the bad ones) and works out the expiry, together.
 * The transaction checks added files again, so one that turns unusable in between still fails the save.
 */
async function prepareSave(
  key: OwnerKey,
  content: ProjectContent,
  now: Date,
  retained?: ReadonlySet<string>,
): Promise<string> {
  const [problems, retention] = await Promise.all([
    fileProblems(key, content.fileIds, retained),
    tenantSettings(projectsDb(), key.tenantId),
  ]);
  if (problems.size > 0) throw unusableFiles(content.fileIds, problems);
  return projectExpiry(key.owner, retention, now);
}

/**
 * A document over the inline limit is written to S3 BEFORE the transaction, under a key of its own: a save
 * that then fails leaves the current version and its object untouched.
 */
async function storeDocument(
  project: OwnerKey & { projectId: string },
  version: number,
  content: ProjectContent,
): Promise<StoredDocument> {
  if (isInlineDocument(content)) return { documentJson: content.documentJson };
  const documentKey = projectDocumentKey(project, version);
  await putDocument(documentKey, content.documentJson);
  return { documentKey };
}

/** The saved project, or the error a failed save means; a failed save's S3 object is deleted. */
async function settle(
  key: OwnerKey,
  outcome: SaveOutcome,
  stored: StoredDocument,
  content: ProjectContent,
  onStale: () => Promise<never>,
  retained?: ReadonlySet<string>,
): Promise<ProjectItem> {
  if ('saved' in outcome) return outcome.saved;
  if ('documentKey' in stored) await discardDocument(stored.documentKey);
  if ('stale' in outcome) return onStale();
  const problems = await fileProblems(key, outcome.unusableFileIds, retained);
  if (problems.size > 0) throw unusableFiles(content.fileIds, problems);
  throw conflict('A file changed while the project was saved; save again');
}

/** Version 1 of a new project under a fresh id: its document stored first, then the item with its counts. */
async function insertNewProject(
  key: OwnerKey,
  content: ProjectContent,
  { now, expiresAt, inherited }: { now: Date; expiresAt: string; inherited?: boolean },
): Promise<{ outcome: SaveOutcome; stored: StoredDocument }> {
  const projectId = newProjectId();
  const stored = await storeDocument({ ...key, projectId }, 1, content);
  const outcome = await insertProject(key, {
    projectId,
    savedAt: now.toISOString(),
    expiresAt,
    content,
    stored,
    inherited,
  });
  return { outcome, stored };
}

/**
 * POST: version 1 of a new project, its files counted in the same transaction (past 99 files, in steps; see
 * insertProject), so a book can be created with all its photos at once.
 */
export async function createProject(key: OwnerKey, content: ProjectContent): Promise<ProjectItem> {
  const now = new Date();
  const expiresAt = await prepareSave(key, content, now);
  const { outcome, stored } = await insertNewProject(key, content, { now, expiresAt });
  return settle(key, outcome, stored, content, () => {
    throw conflict('The project id is taken; save again');
  });
}

/** PUT: version `expected + 1` if the project is still at `expected` (412 otherwise). */
export async function saveProject(
  key: OwnerKey,
  projectId: string,
  expected: number,
  content: ProjectContent,
): Promise<ProjectItem> {
  const current = await findOwnProject(key, projectId);
  if (!current) throw notFound('Project');
  if (current.version !== expected) throw staleVersion(expected, current.version);
  const changes = referenceChanges(current.fileIds, content.fileIds);
  const now = new Date();
  const retained = new Set(current.fileIds);
  const expiresAt = await prepareSave(key, content, now, retained);
  const stored = await storeDocument({ ...key, projectId }, expected + 1, content);
  const outcome = await updateProject(key, current, {
    expected,
    savedAt: now.toISOString(),
    expiresAt,
    content,
    stored,
    changes,
  });
  const onStale = async () => {
    const latest = await findOwnProject(key, projectId);
    if (!latest) throw notFound('Project');
    throw staleVersion(expected, latest.version);
  };
  const saved = await settle(key, outcome, stored, content, onStale, retained);
  if (current.documentKey !== undefined && current.documentKey !== saved.documentKey) {
    await sendSupersededDocument(saved, current.documentKey, now);
  }
  return saved;
}

/** GET: the project with its document, read from S3 when it lives there. */
export async function loadProject(
  key: OwnerKey,
  projectId: string,
): Promise<{ project: ProjectItem; document: unknown }> {
  const project = await findOwnProject(key, projectId);
  if (!project) throw notFound('Project');
  return { project, document: JSON.parse(await documentJsonOf(project)) as unknown };
}

export const documentJsonOf = async (project: ProjectItem): Promise<string> =>
  project.documentKey ? readDocument(project.documentKey) : project.documentJson!;

/**
 * POST /v1/projects/shared/{token}/copy: version 1 of a new project of the caller with the shared project's
 * title, product, document and files. The files are not copied: the new project references the same ones,
 * each counted once more (it inherits them, so they need not be the caller's). 404 for an unknown, expired or
 * revoked token, or a shared project that is gone.
 */
export async function copySharedProject(key: OwnerKey, shareToken: string): Promise<ProjectItem> {
  const source = await sharedProject(key.tenantId, shareToken);
  if (!source) throw notFound('Share');
  const problems = await fileProblems(key, source.fileIds, new Set(source.fileIds));
  if (problems.size > 0) {
    throw conflict(
      `The shared project uses files that can no longer be used: ${[...problems.keys()].join(', ')}`,
    );
  }
  const content: ProjectContent = {
    title: source.title,
    product: source.product,
    documentJson: await documentJsonOf(source),
    documentBytes: source.documentBytes,
    fileIds: source.fileIds,
  };
  const now = new Date();
  const expiresAt = projectExpiry(key.owner, await tenantSettings(projectsDb(), key.tenantId), now);
  const { outcome, stored } = await insertNewProject(key, content, { now, expiresAt, inherited: true });
  if ('saved' in outcome) return outcome.saved;
  if ('documentKey' in stored) await discardDocument(stored.documentKey);
  throw conflict('The shared project changed while it was copied; copy again');
}

/** Deleting retries when a save slips in between reading and deleting. */
const DELETE_ATTEMPTS = 3;

/** DELETE: the project and its references in transactions, then its stored documents. */
export async function deleteProject(key: OwnerKey, projectId: string): Promise<void> {
  for (let attempt = 1; attempt <= DELETE_ATTEMPTS; attempt++) {
    const current = await findOwnProject(key, projectId, { includePending: true });
    if (!current) throw notFound('Project');
    if (await removeWithDocuments(current)) return;
  }
  throw conflict('The project kept changing while it was deleted; try again');
}

/**
 * The project as read, with its references and then its documents, unless a save came first (the version moved
 * on; for a sweep's page, the expiry with it). True when deleted.
 */
export async function removeWithDocuments(project: ProjectItem): Promise<boolean> {
  if (!(await removeProject(projectsDb(), project))) return false;
  await Promise.all(projectObjectPrefixes(project).map(discardProjectObjects));
  return true;
}
