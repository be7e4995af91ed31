import {
  logger,
  metrics,
  MetricUnit,
  requiredEnv,
  scheduledTime,
  type ScheduledEvent,
} from '@pixelvault/core';
import { readQueueDepth, type WatchedQueue } from '../adapters/queue-stats';
import { queueDepthReport } from '../domain/queue-depths';

const watched = (): WatchedQueue[] => [
  { url: requiredEnv('POST_UPLOAD_QUEUE_URL'), isDeadLetterQueue: false },
  { url: requiredEnv('POST_UPLOAD_DLQ_URL'), isDeadLetterQueue: true },
  { url: requiredEnv('CLEANUP_QUEUE_URL'), isDeadLetterQueue: false },
  { url: requiredEnv('CLEANUP_DLQ_URL'), isDeadLetterQueue: true },
];

/** Every few minutes: the depth of each queue as metrics, and an error log when a dead-letter queue holds work. */
export const handler = async (event: ScheduledEvent) => {
  const report = queueDepthReport(scheduledTime(event), await Promise.all(watched().map(readQueueDepth)));
  for (const queue of report.queues) {
    const metric = metrics.singleMetric();
    metric.addDimension('queue', queue.queue);
    metric.addMetric('MessagesVisible', MetricUnit.Count, queue.visible);
    metric.addMetric('MessagesInFlight', MetricUnit.Count, queue.inFlight);
  }
  if (report.attention.length > 0)
    logger.error('dead-letter queues hold messages', { queues: report.attention });
  else logger.info('queue depths', { queues: report.queues });
  return report;
};
