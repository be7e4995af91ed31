import { createHash } from 'node:crypto';
import {
  ApiError,
  badRequest,
  conflict,
  EXTERNAL_ORDER_ID_PATTERN,
  ID_PATTERN,
  requireScope,
  USER_ID_PATTERN,
  sessionOwner,
  userOwner,
  type Caller,
  type Owner,
  type OrderItem,
} from '@pixelvault/core';
import { z } from 'zod';

/** Files stay pinned this long after an order unless the partner says otherwise. */
const DEFAULT_ORDER_RETENTION_DAYS = 60;
const MAX_RETENTION_DAYS = 10 * 365;
export const MAX_ORDER_PROJECTS = 20;

export const placeOrderBody = z
  .object({
    externalOrderId: z.string().regex(EXTERNAL_ORDER_ID_PATTERN, 'must be printable ASCII, 1-128 characters'),
    userId: z.string().regex(USER_ID_PATTERN, 'must be a user id').optional(),
    sessionId: z.string().regex(ID_PATTERN, 'must be a session id').optional(),
    projectIds: z
      .array(z.string().regex(ID_PATTERN, 'must be a project id'))
      .min(1)
      .max(MAX_ORDER_PROJECTS)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a project'),
    retainUntil: z.iso.datetime({ offset: false }).optional(),
  })
  .refine((body) => (body.userId === undefined) !== (body.sessionId === undefined), {
    message: 'exactly one of userId and sessionId is required',
    path: ['userId'],
  });

export type PlaceOrderBody = z.infer<typeof placeOrderBody>;

/** Only partner systems with `orders:<access>` place and read orders. */
export function requirePartner(caller: Caller, access: 'read' | 'write'): void {
  if (caller.kind !== 'partner') throw new ApiError(403, 'forbidden', 'Only partner tokens handle orders');
  requireScope(caller, access === 'read' ? 'orders:read' : 'orders:write');
}

export const orderOwner = (body: PlaceOrderBody): Owner =>
  (body.userId !== undefined ? userOwner(body.userId) : sessionOwner(body.sessionId!)) as Owner;

/** What makes a replay the same request: a different body under the same externalOrderId is a 409. */
export const requestHashOf = (body: PlaceOrderBody) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        orderOwner(body),
        body.projectIds,
        body.retainUntil === undefined ? null : body.retainUntil,
      ]),
    )
    .digest('base64url');

/** The retention end: as asked (in the future, at most 10 years ahead) or 60 days from now. */
export function retainUntilOf(body: PlaceOrderBody, now: Date): string {
  if (body.retainUntil === undefined) {
    return new Date(now.getTime() + DEFAULT_ORDER_RETENTION_DAYS * 24 * 3600 * 1000).toISOString();
  }
  const until = new Date(body.retainUntil);
  const latest = now.getTime() + MAX_RETENTION_DAYS * 24 * 3600 * 1000;
  if (until.getTime() <= now.getTime() || until.getTime() > latest) {
    throw badRequest('retainUntil must be in the future and at most 10 years ahead', [
      { field: 'retainUntil', reason: 'must be in the future and at most 10 years ahead' },
    ]);
  }
  return until.toISOString();
}

export const unknownProjects = (projectIds: readonly string[], missing: ReadonlySet<string>) =>
  badRequest(
    `These projects are not the customer's: ${[...missing].join(', ')}`,
    projectIds.flatMap((id, index) =>
      missing.has(id) ? [{ field: `projectIds.${index}`, reason: `project ${id}: not_found` }] : [],
    ),
  );

export const unreadyFiles = (fileIds: readonly string[]) =>
  conflict(`These files are not ready to be ordered: ${fileIds.join(', ')}`, { fileIds });

export interface Download {
  url: string;
  expiresAt: string;
}

/** An order as its partner sees it: frozen projects with their documents and every pinned original. */
export function orderView(
  order: OrderItem,
  documents: ReadonlyMap<string, Download>,
  files: ReadonlyMap<string, Download>,
) {
  return {
    id: order.orderId,
    externalOrderId: order.externalOrderId,
    state: order.state,
    retainUntil: order.retainUntil,
    createdAt: order.createdAt,
    projects: order.projects.map((project) => ({
      id: project.projectId,
      version: project.version,
      title: project.title,
      product: { type: project.productType },
      fileIds: project.fileIds,
      document: documents.get(project.documentKey),
    })),
    files: order.fileIds.map((id) => ({ id, download: files.get(id) })),
  };
}
