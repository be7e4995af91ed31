import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  chunksOf,
  MAX_REFERENCE_CHANGES,
  orderRetentionFields,
  pinWrites,
  releaseOrder,
  removeOrder,
  requiredEnv,
  s3Client,
  type OrderItem,
  type Owner,
  type ProjectItem,
} from '@pixelvault/core';
import type { Download } from '../domain/ordering';
import { projectsDb, runTransaction } from './db';

/** How long the download URLs of an order's originals and documents stay valid. */
export const DOWNLOAD_URL_TTL_SECONDS = 15 * 60;

export async function findOrder(tenantId: string, orderId: string): Promise<OrderItem | undefined> {
  const { data } = await projectsDb().entities.order.get({ tenantId, orderId }).go({ consistent: true });
  return data ?? undefined;
}

/** The ids among `fileIds` that are not `ready` (or not there): an order pins only what a lab can fetch. */
export async function unreadyFileIds(tenantId: string, fileIds: readonly string[]): Promise<string[]> {
  if (fileIds.length === 0) return [];
  const { data, unprocessed } = await projectsDb()
    .entities.file.get(fileIds.map((fileId) => ({ tenantId, fileId })))
    .go({ attributes: ['fileId', 'state'], concurrency: 4 });
  if (unprocessed.length > 0) throw new Error(`BatchGetItem left ${unprocessed.length} files unread`);
  const ready = new Set(data.filter((file) => file.state === 'ready').map((file) => file.fileId));
  return fileIds.filter((id) => !ready.has(id));
}

export interface NewOrder {
  tenantId: string;
  orderId: string;
  externalOrderId: string;
  clientId: string;
  requestHash: string;
  owner: Owner;
  retainUntil: string;
  projects: Array<{ project: ProjectItem; documentKey: string }>;
}

export type PlaceOutcome = { order: OrderItem } | { exists: true } | { unreadyFileIds: string[] };

/**
 * Creates the order and pins its files. Up to 99 files go in the transaction that creates the order; more are
 * pinned 99 per transaction, each advancing `pinnedCount` (conditional on its last value, so two replays never
 * pin twice), and the order is `placed` once all are. A replay of a `pinning` order resumes with pinRest.
 */
export async function insertOrder(input: NewOrder): Promise<PlaceOutcome> {
  const fileIds = [...new Set(input.projects.flatMap(({ project }) => project.fileIds))];
  const [first = []] = chunksOf(fileIds, MAX_REFERENCE_CHANGES);
  const item = {
    tenantId: input.tenantId,
    orderId: input.orderId,
    externalOrderId: input.externalOrderId,
    clientId: input.clientId,
    requestHash: input.requestHash,
    owner: input.owner,
    state: first.length === fileIds.length ? ('placed' as const) : ('pinning' as const),
    projects: input.projects.map(({ project, documentKey }) => ({
      projectId: project.projectId,
      version: project.version,
      title: project.title,
      productType: project.product.type,
      fileIds: project.fileIds,
      documentKey,
    })),
    fileIds,
    pinnedCount: first.length,
    ...orderRetentionFields(input.orderId, input.retainUntil),
  };
  const failure = await runTransaction(
    ({ order, file }) => [
      order.create(item).commit(),
      ...pinWrites({ file }, input.tenantId, { pin: first, unpin: [] }),
    ],
    first,
  );
  if (failure) return 'stale' in failure ? { exists: true } : { unreadyFileIds: failure.unusableFileIds };
  const created = (await findOrder(input.tenantId, input.orderId))!;
  return created.state === 'placed' ? { order: created } : pinRest(created);
}

/** Pins the files of a `pinning` order not pinned yet, 99 per transaction, then marks it `placed`. */
export async function pinRest(order: OrderItem): Promise<PlaceOutcome> {
  let pinned = order.pinnedCount;
  const key = { tenantId: order.tenantId, orderId: order.orderId };
  for (const chunk of chunksOf(order.fileIds.slice(pinned), MAX_REFERENCE_CHANGES)) {
    const from = pinned;
    const failure = await runTransaction(
      ({ order: orders, file }) => [
        orders
          .patch(key)
          .set({ pinnedCount: from + chunk.length })
          .where(({ pinnedCount }, { eq }) => eq(pinnedCount, from))
          .commit(),
        ...pinWrites({ file }, order.tenantId, { pin: chunk, unpin: [] }),
      ],
      chunk,
    );
    if (failure && 'stale' in failure) return { order: (await findOrder(order.tenantId, order.orderId))! };
    if (failure) {
      await releaseOrder(projectsDb(), { ...order, pinnedCount: from });
      return { unreadyFileIds: failure.unusableFileIds };
    }
    pinned = from + chunk.length;
  }
  if (order.state === 'pinning') {
    await projectsDb().entities.order.patch(key).set({ state: 'placed' }).go();
  }
  const { data } = await projectsDb().entities.order.get(key).go({ consistent: true });
  return { order: data! };
}

/** An order past `retainUntil`: core's removeOrder (frozen documents, pins, the order). */
export const releaseEndedOrder = (order: OrderItem) => removeOrder(projectsDb(), order);

/** Presigned GETs of every pinned original (by its File's object key) and of each frozen document. */
export async function orderDownloads(
  order: OrderItem,
  now = new Date(),
): Promise<{ documents: Map<string, Download>; files: Map<string, Download> }> {
  const { data, unprocessed } = await projectsDb()
    .entities.file.get(order.fileIds.map((fileId) => ({ tenantId: order.tenantId, fileId })))
    .go({ attributes: ['fileId', 'objectKey'], concurrency: 4 });
  if (unprocessed.length > 0) throw new Error(`BatchGetItem left ${unprocessed.length} files unread`);
  const sign = async (key: string): Promise<Download> => ({
    url: await getSignedUrl(
      s3Client(),
      new GetObjectCommand({ Bucket: requiredEnv('BUCKET_NAME'), Key: key }),
      {
        expiresIn: DOWNLOAD_URL_TTL_SECONDS,
        signingDate: now,
      },
    ),
    expiresAt: new Date(now.getTime() + DOWNLOAD_URL_TTL_SECONDS * 1000).toISOString(),
  });
  const files = new Map(
    await Promise.all(data.map(async (file) => [file.fileId, await sign(file.objectKey!)] as const)),
  );
  const documents = new Map(
    await Promise.all(
      order.projects.map(async (project) => [project.documentKey, await sign(project.documentKey)] as const),
    ),
  );
  return { documents, files };
}
