import { conflict, orderDocumentKey, orderIdOf, type OrderItem, type ProjectItem } from '@pixelvault/core';
import {
  orderOwner,
  requestHashOf,
  retainUntilOf,
  unknownProjects,
  unreadyFiles,
  type PlaceOrderBody,
} from '../domain/ordering';
import { discardDocument, putDocument } from './documents';
import { findOrder, insertOrder, pinRest, unreadyFileIds, type PlaceOutcome } from './orders';
import { findOwnProject } from './projects';
import { documentJsonOf } from './saves';

const settled = (outcome: PlaceOutcome): OrderItem => {
  if ('unreadyFileIds' in outcome) throw unreadyFiles(outcome.unreadyFileIds);
  if ('exists' in outcome) throw conflict('The order is being placed by another request; try again');
  return outcome.order;
};

/** The same request again returns the order it made (finishing its pins if a crash cut them short); 409 else. */
async function replay(existing: OrderItem, requestHash: string): Promise<OrderItem> {
  if (existing.requestHash !== requestHash) {
    throw conflict('This externalOrderId already names a different order', [
      { field: 'externalOrderId', reason: 'already used with a different body' },
    ]);
  }
  return existing.state === 'pinning' ? settled(await pinRest(existing)) : existing;
}

/**
 * POST /v1/orders: freezes the customer's projects as they are now (version, files, a copy of the document
 * the project's own deletion or later saves never touch) and pins every file until retainUntil. Idempotent on
 * externalOrderId: the order's id derives from it.
 */
export async function placeOrder(
  tenantId: string,
  clientId: string,
  body: PlaceOrderBody,
): Promise<{ order: OrderItem; replayed: boolean }> {
  const orderId = orderIdOf(tenantId, body.externalOrderId);
  const requestHash = requestHashOf(body);
  const existing = await findOrder(tenantId, orderId);
  if (existing) return { order: await replay(existing, requestHash), replayed: true };

  const owner = orderOwner(body);
  const retainUntil = retainUntilOf(body, new Date());
  const found = await Promise.all(body.projectIds.map((id) => findOwnProject({ tenantId, owner }, id)));
  const missing = new Set(body.projectIds.filter((_id, index) => found[index] === undefined));
  if (missing.size > 0) throw unknownProjects(body.projectIds, missing);
  const projects = found as ProjectItem[];
  const unready = await unreadyFileIds(tenantId, [...new Set(projects.flatMap((p) => p.fileIds))]);
  if (unready.length > 0) throw unreadyFiles(unready);

  const frozen = await Promise.all(
    projects.map(async (project) => {
      const documentKey = orderDocumentKey({ tenantId, owner, orderId }, project);
      await putDocument(documentKey, await documentJsonOf(project));
      return { project, documentKey };
    }),
  );
  const outcome = await insertOrder({
    tenantId,
    orderId,
    externalOrderId: body.externalOrderId,
    clientId,
    requestHash,
    owner,
    retainUntil,
    projects: frozen,
  });
  if ('exists' in outcome) {
    return { order: await replay((await findOrder(tenantId, orderId))!, requestHash), replayed: true };
  }
  if ('unreadyFileIds' in outcome) {
    await Promise.all(frozen.map(({ documentKey }) => discardDocument(documentKey)));
  }
  return { order: settled(outcome), replayed: false };
}
