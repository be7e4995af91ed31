import { measureCapacity, type ConsumedCapacity } from './aws/consumed-capacity';
import { EXPIRY_SHARDS, expiryBucket } from './entities/file';
import { logger } from './logger';
import { metrics, MetricUnit } from './metrics';
import { scheduledTime, type ScheduledEvent } from './scheduled-event';

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

/**
 * The lower bound of a sweep's key condition: `BETWEEN <entity>#<floor> AND <entity>#<now>` keeps a Query to its
 * own entity's items (files and projects share the index's partitions; `<=` alone would read the files of an hour
 * in a project sweep).
 */
export const SWEEP_FLOOR = new Date(0).toISOString();

export interface SweepPorts<T> {
  /** Pages through one partition's items due at `now`; resolves to the number of pages read. */
  forEachPage(partition: string, now: Date, onPage: (items: T[]) => Promise<void>): Promise<number>;
  /** Acts on one page (sends it on, or carries it out); resolves to the number of actions (messages, deletions). */
  handle(now: Date, items: T[]): Promise<number>;
  /** Bounds how many partitions are read at once. */
  each<R>(work: () => Promise<R>): Promise<R>;
}

/** What a sweep did, as its log line, metrics and `pnpm job` report it. */
export interface SweepReport {
  at: string;
  partitions: number;
  pages: number;
  /** Items found due (examined). */
  found: number;
  /** What `handle` counted: messages sent, or items acted on. */
  handled: number;
}

/** Queries every partition of the window and hands each page on as it is read (one page per partition in memory). */
export async function sweep<T>(
  now: Date,
  partitions: readonly string[],
  ports: SweepPorts<T>,
): Promise<SweepReport> {
  let found = 0;
  let handled = 0;
  const pages = await Promise.all(
    partitions.map((partition) =>
      ports.each(() =>
        ports.forEachPage(partition, now, async (items) => {
          found += items.length;
          // Not `handled += await ...`: that reads `handled` before the await and loses other pages' counts.
          const count = await ports.handle(now, items);
          handled += count;
        }),
      ),
    ),
  );
  return {
    at: now.toISOString(),
    partitions: partitions.length,
    pages: pages.reduce((sum, count) => sum + count, 0),
    found,
    handled,
  };
}

/**
 * A scheduled sweep as every expiry job runs it: the event's time as the clock, the window from
 * EXPIRY_LOOKBACK_HOURS, DynamoDB capacity measured, one log line and metrics of what it examined and did
 * (`outcomes`: the job's own counts, e.g. deleted, skipped by reason, failed).
 */
export async function runSweepJob<T>(
  job: string,
  event: ScheduledEvent,
  ports: SweepPorts<T>,
  outcomes: () => Record<string, number> = () => ({}),
): Promise<SweepReport & { capacity: ConsumedCapacity; outcomes: Record<string, number> }> {
  const now = scheduledTime(event);
  const lookbackHours = Number(process.env.EXPIRY_LOOKBACK_HOURS ?? DEFAULT_LOOKBACK_HOURS);
  const { result, capacity } = await measureCapacity(() =>
    sweep(now, sweepPartitions(now, lookbackHours), ports),
  );
  const report = { ...result, capacity, outcomes: outcomes() };
  metrics.addDimension('job', job);
  metrics.addMetric('ItemsExamined', MetricUnit.Count, report.found);
  metrics.addMetric('ItemsHandled', MetricUnit.Count, report.handled);
  metrics.addMetric('SweepReadCapacity', MetricUnit.Count, capacity.read);
  for (const [name, count] of Object.entries(report.outcomes))
    metrics.addMetric(name, MetricUnit.Count, count);
  metrics.publishStoredMetrics();
  logger.info('sweep done', { job, ...report });
  return report;
}
