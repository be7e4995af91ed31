import {
  DEFAULT_LOOKBACK_HOURS,
  logger,
  measureCapacity,
  metrics,
  MetricUnit,
  scheduledTime,
  sweep,
  sweepPartitions,
  type ConsumedCapacity,
  type ScheduledEvent,
  type SweepReport,
} from '@pixelvault/core';
import pLimit from 'p-limit';
import { forEachExpiredFilePage } from '../adapters/expiry-index';
import { sendExpiredFiles } from '../adapters/work-queue';

// Partitions read at once: the 16 shards of an hour side by side.
const PARTITIONS_AT_ONCE = 16;

/**
 * Hourly: files past their expiresAt (pending registrations after 24 h, guest files after their session) are
 * found through the expiry index and sent to the cleanup queue, one message per tenant and page; the cleanup
 * worker deletes those still expired and unreferenced.
 */
export const handler = async (
  event: ScheduledEvent,
): Promise<SweepReport & { capacity: ConsumedCapacity }> => {
  const now = scheduledTime(event);
  const lookbackHours = Number(process.env.EXPIRY_LOOKBACK_HOURS ?? DEFAULT_LOOKBACK_HOURS);
  const { result, capacity } = await measureCapacity(() =>
    sweep(now, sweepPartitions(now, lookbackHours), {
      forEachPage: forEachExpiredFilePage,
      handle: sendExpiredFiles,
      each: pLimit(PARTITIONS_AT_ONCE),
    }),
  );
  const report = { ...result, capacity };
  metrics.addMetric('ExpiredFilesFound', MetricUnit.Count, report.found);
  metrics.addMetric('CleanupMessagesSent', MetricUnit.Count, report.handled);
  metrics.addMetric('SweepReadCapacity', MetricUnit.Count, capacity.read);
  metrics.publishStoredMetrics();
  logger.info('expired files swept', { job: 'expireFiles', ...report });
  return report;
};
