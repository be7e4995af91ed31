import { deleteObjects } from '../aws/objects';
import type { OrderItem } from './order';
import {
  MAX_REFERENCE_CHANGES,
  runReferenceTransaction,
  type TransactionEntities,
  type TransactionItem,
} from './project-references';
import type { Db } from '.';

/** +1 pinCount on each file (conditional: still `ready`) or -1 (conditional: pinned). */
export function pinWrites(
  { file }: Pick<TransactionEntities, 'file'>,
  tenantId: string,
  { pin, unpin }: { pin: readonly string[]; unpin: readonly string[] },
): TransactionItem[] {
  return [
    ...pin.map((fileId) =>
      file
        .patch({ tenantId, fileId })
        .add({ pinCount: 1 })
        .where(({ state }, { eq }) => eq(state, 'ready'))
        .commit(),
    ),
    ...unpin.map((fileId) =>
      file
        .patch({ tenantId, fileId })
        .subtract({ pinCount: 1 })
        .where(({ pinCount }, { gt }) => gt(pinCount, 0))
        .commit(),
    ),
  ];
}

/**
 * Unpins what the order pinned, 99 per transaction, each lowering `pinnedCount` conditionally on its last value
 * (a crash midway resumes where it stopped, nothing is unpinned twice), then deletes the order. Undoes a failed
 * order, and ends a retained or erased one (removeOrder).
 */
export async function releaseOrder(db: Db, order: OrderItem): Promise<void> {
  const key = { tenantId: order.tenantId, orderId: order.orderId };
  let pinned = order.pinnedCount;
  while (pinned > 0) {
    const from = pinned;
    const chunk = order.fileIds.slice(Math.max(0, from - MAX_REFERENCE_CHANGES), from);
    const failure = await runReferenceTransaction(
      db,
      ({ order: orders, file }) => [
        orders
          .patch(key)
          .set({ pinnedCount: from - chunk.length })
          .where(({ pinnedCount }, { eq }) => eq(pinnedCount, from))
          .commit(),
        ...pinWrites({ file }, order.tenantId, { pin: [], unpin: chunk }),
      ],
      chunk,
    );
    if (failure) throw new Error(`Could not release order ${order.orderId}: ${JSON.stringify(failure)}`);
    pinned = from - chunk.length;
  }
  await db.entities.order
    .delete(key)
    .where(({ pinnedCount }, { eq }) => eq(pinnedCount, 0))
    .go();
}

/**
 * An order that ends (past `retainUntil`, or its user erased): its frozen documents go, then its files are
 * unpinned and the order deleted. A crash midway leaves the order with fewer pins; running it again finishes.
 */
export async function removeOrder(db: Db, order: OrderItem): Promise<void> {
  await deleteObjects(order.projects.map((project) => project.documentKey));
  await releaseOrder(db, order);
}
