import { logger, runSweepJob, type OrderItem, type ScheduledEvent } from '@pixelvault/core';
import pLimit from 'p-limit';
import { projectsDb } from '../adapters/db';
import { forEachEndedOrderPage } from '../adapters/expiry';
import { releaseEndedOrder } from '../adapters/orders';

const PARTITIONS_AT_ONCE = 8;

/**
 * Hourly: orders past `retainUntil` (expiry index) unpin their files and are deleted with their frozen
 * documents; the files, no longer pinned, expire or stay by their own rules.
 */
export const handler = (event: ScheduledEvent) => {
  const tally = { OrdersReleased: 0, OrdersFailed: 0 };
  return runSweepJob('releaseOrders', event, {
    db: projectsDb(),
    forEachPage: forEachEndedOrderPage,
    async handle(_now, orders: OrderItem[]) {
      for (const order of orders) {
        try {
          await releaseEndedOrder(order);
          tally.OrdersReleased += 1;
        } catch (error) {
          tally.OrdersFailed += 1;
          logger.error('order not released', { orderId: order.orderId, error: error as Error });
        }
      }
      return orders.length;
    },
    each: pLimit(PARTITIONS_AT_ONCE),
    outcomes: () => tally,
    failed: () => tally.OrdersFailed,
  });
};
