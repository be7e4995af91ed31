import { measureCapacity, type ConsumedCapacity } from './aws/consumed-capacity';
import type { Db } from './entities';
import { EXPIRY_SHARDS, expiryBucket } from './entities/file';
import { advanceSweptThrough, readSweptThrough } from './entities/sweep-watermark';
import { logger } from './logger';
import { metrics, MetricUnit } from './metrics';
import { scheduledTime, type ScheduledEvent } from './scheduled-event';

const HOUR_MS = 3600 * 1000;

/** How far back a job's first run looks (no watermark yet), or a run whose clock is behind its watermark. */
export const DEFAULT_LOOKBACK_HOURS = 48;

/** Hours below the watermark swept again: an item written into an hour while it was swept is found next time. */
export const WATERMARK_OVERLAP_HOURS = 1;

/** The most a run looks back however long the job was down (31 days: 745 hours x 16 Queries); logged if cut. */
export const MAX_LOOKBACK_HOURS = 31 * 24;

export interface SweepWindow {
  /** Hours before now's hour the run sweeps (now's hour too: lookbackHours + 1 hours in all). */
  lookbackHours: number;
  /** Hours of the job's backlog left out by MAX_LOOKBACK_HOURS (0 unless it was down longer). */
  cutHours: number;
}

/**
 * Which hours a run at `now` sweeps: from the watermark (the last hour a run swept completely) less the
 * overlap up to now's hour, at most MAX_LOOKBACK_HOURS back. Without a watermark, or with one at or after now's
 * hour (a clock moved back), the DEFAULT_LOOKBACK_HOURS.
 */
export function sweepWindow(now: Date, sweptThrough: string | undefined): SweepWindow {
  const nowHour = Math.floor(now.getTime() / HOUR_MS);
  const watermarkHour = sweptThrough === undefined ? NaN : Date.parse(`${sweptThrough}:00:00.000Z`) / HOUR_MS;
  if (!(watermarkHour < nowHour)) return { lookbackHours: DEFAULT_LOOKBACK_HOURS, cutHours: 0 };
  const wanted = nowHour - watermarkHour + WATERMARK_OVERLAP_HOURS;
  return {
    lookbackHours: Math.min(wanted, MAX_LOOKBACK_HOURS),
    cutHours: Math.max(0, wanted - MAX_LOOKBACK_HOURS),
  };
}

/** The hour a complete run at `now` has swept through: the one before now's (now's own hour is still filling). */
export const sweptThroughAt = (now: Date) => expiryBucket(new Date(now.getTime() - HOUR_MS).toISOString());

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

export interface SweepJob<T> extends SweepPorts<T> {
  /** Where the job's watermark lives. */
  db: Db;
  /** The job's own counts for the log and metrics (e.g. deleted, skipped by reason, failed). */
  outcomes?(): Record<string, number>;
  /** Items the run could not handle (the next run retries them): the watermark then stays where it was. */
  failed?(): number;
}

export interface SweepJobReport extends SweepReport, SweepWindow {
  capacity: ConsumedCapacity;
  outcomes: Record<string, number>;
  /** The watermark this run stored, or null when it left it (something failed, or a later run's is newer). */
  sweptThrough: string | null;
}

/**
 * A scheduled sweep as every expiry job runs it: the event's time as the clock, the window from the job's
 * watermark (`sweepWindow`), DynamoDB capacity measured, the watermark moved on when nothing failed, one log
 * line and metrics of what it examined and did.
 */
export async function runSweepJob<T>(
  job: string,
  event: ScheduledEvent,
  sweepJob: SweepJob<T>,
): Promise<SweepJobReport> {
  const now = scheduledTime(event);
  const { result, capacity } = await measureCapacity(async () => {
    const window = sweepWindow(now, await readSweptThrough(sweepJob.db, job));
    if (window.cutHours > 0)
      logger.warn('sweep window capped: older hours are not swept', { job, ...window });
    const report = await sweep(now, sweepPartitions(now, window.lookbackHours), sweepJob);
    const complete = (sweepJob.failed?.() ?? 0) === 0;
    const moved = complete && (await advanceSweptThrough(sweepJob.db, job, sweptThroughAt(now)));
    return { ...report, ...window, sweptThrough: moved ? sweptThroughAt(now) : null };
  });
  const report = { ...result, capacity, outcomes: sweepJob.outcomes?.() ?? {} };
  metrics.addDimension('job', job);
  metrics.addMetric('ItemsExamined', MetricUnit.Count, report.found);
  metrics.addMetric('ItemsHandled', MetricUnit.Count, report.handled);
  metrics.addMetric('SweepReadCapacity', MetricUnit.Count, capacity.read);
  metrics.addMetric('SweepPartitions', MetricUnit.Count, report.partitions);
  for (const [name, count] of Object.entries(report.outcomes))
    metrics.addMetric(name, MetricUnit.Count, count);
  metrics.publishStoredMetrics();
  logger.info('sweep done', { job, ...report });
  return report;
}
