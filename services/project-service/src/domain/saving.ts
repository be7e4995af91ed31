import {
  ApiError,
  badRequest,
  ID_PATTERN,
  MAX_REFERENCE_CHANGES,
  payloadTooLarge,
  PRODUCT_TYPE_PATTERN,
} from '@pixelvault/core';
import { z } from 'zod';

/** Documents up to this size (serialized JSON) stay in the item; DynamoDB items hold at most 400 KB. */
export const INLINE_DOCUMENT_BYTES = 300 * 1024;
/** The largest document accepted; larger ones are a 413. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** API Gateway's own limit on request bodies, which the local origin enforces too. */
export const MAX_SAVE_BODY_BYTES = 10 * 1024 * 1024;
/** Distinct files one project may use (its ids stay well inside the item with an inline document). */
export const MAX_FILE_IDS = 1000;

export const saveProjectBody = z.object({
  title: z.string().trim().min(1).max(200),
  product: z.object({
    type: z.string().regex(PRODUCT_TYPE_PATTERN, 'must be a lower-case slug of 1-40 characters'),
  }),
  // Any JSON the editor sends (the body parser made it, so it is JSON already); its size is checked serialized.
  document: z.unknown().refine((value) => value !== undefined && value !== null, 'is required'),
  fileIds: z.array(z.string().regex(ID_PATTERN, 'must be a file id')).max(MAX_FILE_IDS).default([]),
});

export type SaveProjectBody = z.infer<typeof saveProjectBody>;

/** What a save writes: the document serialized once, and each file id once in the order first used. */
export interface ProjectContent {
  title: string;
  product: { type: string };
  documentJson: string;
  documentBytes: number;
  fileIds: string[];
}

export function projectContent(body: SaveProjectBody): ProjectContent {
  const documentJson = JSON.stringify(body.document);
  const documentBytes = Buffer.byteLength(documentJson);
  if (documentBytes > MAX_DOCUMENT_BYTES) {
    throw payloadTooLarge(`The document has ${documentBytes} bytes; the limit is ${MAX_DOCUMENT_BYTES}`, [
      { field: 'document', reason: `must be at most ${MAX_DOCUMENT_BYTES} bytes of JSON (10 MiB)` },
    ]);
  }
  return {
    title: body.title,
    product: { type: body.product.type },
    documentJson,
    documentBytes,
    fileIds: [...new Set(body.fileIds)],
  };
}

export const isInlineDocument = (content: Pick<ProjectContent, 'documentBytes'>) =>
  content.documentBytes <= INLINE_DOCUMENT_BYTES;

/** The files a save starts and stops using; more than one transaction holds is a 400. */
export function referenceChanges(
  before: readonly string[],
  after: readonly string[],
): { added: string[]; removed: string[] } {
  const previous = new Set(before);
  const next = new Set(after);
  const added = after.filter((id) => !previous.has(id));
  const removed = before.filter((id) => !next.has(id));
  const count = added.length + removed.length;
  if (count > MAX_REFERENCE_CHANGES) {
    throw badRequest(
      `One save may add or remove at most ${MAX_REFERENCE_CHANGES} file references; this one changes ${count}`,
      [
        {
          field: 'fileIds',
          reason: `adds ${added.length} and removes ${removed.length} files; at most ${MAX_REFERENCE_CHANGES} changes per save, save in steps`,
        },
      ],
    );
  }
  return { added, removed };
}

/** Why a referenced file cannot be used; another owner's file is `not_found`, like a missing one. */
export type FileProblem = 'not_found' | 'rejected';

/** 400 naming every file id the project may not reference, and why. */
export function unusableFiles(fileIds: readonly string[], problems: ReadonlyMap<string, FileProblem>) {
  const bad = fileIds.flatMap((id, index) => {
    const problem = problems.get(id);
    return problem === undefined ? [] : [{ field: `fileIds.${index}`, reason: `file ${id}: ${problem}` }];
  });
  return badRequest(`These files cannot be used: ${[...problems.keys()].join(', ')}`, bad);
}

/** `If-Match: "<version>"` (quotes optional); 428 without it, 400 for anything else. */
export function expectedVersion(ifMatch: string | undefined): number {
  if (ifMatch === undefined || ifMatch.trim() === '') {
    throw new ApiError(
      428,
      'precondition_required',
      'Send If-Match with the version you edited, e.g. If-Match: "3"',
      [{ field: 'If-Match', reason: 'is required' }],
    );
  }
  const match = /^\s*"?([1-9]\d{0,8})"?\s*$/.exec(ifMatch);
  if (!match) {
    throw badRequest('If-Match must be a project version, e.g. "3"', [
      { field: 'If-Match', reason: 'must be a quoted version number' },
    ]);
  }
  return Number(match[1]);
}

/** 412: someone saved first; the client reloads `currentVersion`, merges, and saves again. */
export const staleVersion = (expected: number, currentVersion: number) =>
  new ApiError(
    412,
    'precondition_failed',
    `The project is at version ${currentVersion}, not ${expected}: reload it and save again`,
    { field: 'If-Match', reason: `stale: the current version is ${currentVersion}`, currentVersion },
  );
