import { forEachPage, SWEEP_FLOOR, type OrderItem, type ProjectItem } from '@pixelvault/core';
import { projectsDb } from './db';

/** Items per Query page of a sweep: each page is carried out before the next is read. */
export const SWEEP_PAGE_SIZE = 25;

/** Projects of one expiry partition whose retention ended at `now` (Query on the `expiry` index, never a Scan). */
export const forEachExpiredProjectPage = (
  partition: string,
  now: Date,
  onPage: (projects: ProjectItem[]) => Promise<void>,
) =>
  forEachPage(
    (cursor) =>
      projectsDb()
        .entities.project.query.byExpiry({ expiryPartition: partition })
        .between({ expiresAt: SWEEP_FLOOR }, { expiresAt: now.toISOString() })
        .go({ cursor, limit: SWEEP_PAGE_SIZE }),
    onPage,
  );

/** Orders of one partition whose `retainUntil` passed at `now`. */
export const forEachEndedOrderPage = (
  partition: string,
  now: Date,
  onPage: (orders: OrderItem[]) => Promise<void>,
) =>
  forEachPage(
    (cursor) =>
      projectsDb()
        .entities.order.query.byRetention({ retainPartition: partition })
        .between({ retainUntil: SWEEP_FLOOR }, { retainUntil: now.toISOString() })
        .go({ cursor, limit: SWEEP_PAGE_SIZE }),
    onPage,
  );
