import { EXPIRY_SHARDS, expiryBucket } from '@pixelvault/core';

const HOUR_MS = 3600 * 1000;

/**
 * How far back a sweep looks: a sweep deletes or re-dates everything it finds, so older hours are empty unless
 * the job did not run (or failed) for that long.
 */
export const DEFAULT_LOOKBACK_HOURS = 48;

/**
 * The expiry-index partitions (`<hour>#<shard>`) a sweep at `now` queries: every shard of every hour from
 * `lookbackHours` before `now` up to `now`'s own hour, oldest first. Each is one paginated Query, never a Scan.
 */
export function sweepPartitions(now: Date, lookbackHours = DEFAULT_LOOKBACK_HOURS): string[] {
  const partitions: string[] = [];
  for (let back = lookbackHours; back >= 0; back--) {
    const hour = expiryBucket(new Date(now.getTime() - back * HOUR_MS).toISOString());
    for (let shard = 0; shard < EXPIRY_SHARDS; shard++) partitions.push(`${hour}#${shard}`);
  }
  return partitions;
}

/** Expired items of one page, grouped by tenant in first-seen order: each group becomes one message. */
export function byTenant<T extends { tenantId: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.tenantId);
    if (group) group.push(item);
    else groups.set(item.tenantId, [item]);
  }
  return groups;
}

/** What a sweep did, as its log line and metrics report it. */
export interface SweepReport {
  at: string;
  partitions: number;
  pages: number;
  /** Expired items found (examined). */
  found: number;
  /** Messages sent to the cleanup queue. */
  messages: number;
  capacity: { read: number; write: number; requests: number };
}

export interface SweepPorts<T extends { tenantId: string }> {
  /** Pages through one partition's items expired at `now`; resolves to the number of pages read. */
  forEachPage(partition: string, now: Date, onPage: (items: T[]) => Promise<void>): Promise<number>;
  /** Sends one page's work: one message per tenant. */
  send(now: Date, groups: Map<string, T[]>): Promise<number>;
  /** Bounds how many partitions are read at once. */
  each<R>(work: () => Promise<R>): Promise<R>;
}

/** Queries every partition of the window and sends each page's expired items on as it is read. */
export async function sweep<T extends { tenantId: string }>(
  now: Date,
  partitions: readonly string[],
  ports: SweepPorts<T>,
): Promise<Omit<SweepReport, 'capacity'>> {
  let found = 0;
  let messages = 0;
  const pages = await Promise.all(
    partitions.map((partition) =>
      ports.each(() =>
        ports.forEachPage(partition, now, async (items) => {
          found += items.length;
          messages += await ports.send(now, byTenant(items));
        }),
      ),
    ),
  );
  return {
    at: now.toISOString(),
    partitions: partitions.length,
    pages: pages.reduce((sum, count) => sum + count, 0),
    found,
    messages,
  };
}
