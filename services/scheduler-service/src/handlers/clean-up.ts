import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { logger, measureCapacity, metrics, MetricUnit } from '@pixelvault/core';
import type { SQSEvent, SQSHandler, SQSRecord } from 'aws-lambda';
import { cleanupPorts } from '../adapters/cleanup-ports';
import { carryOut, emptyTally } from '../domain/clean-up';
import { parseCleanupWork } from '../domain/cleanup-work';

const processor = new BatchProcessor(EventType.SQS);

/**
 * The cleanup queue, ten messages per invocation, each carried out by the domain's `carryOut`. A message that
 * throws is reported alone (ReportBatchItemFailures) and redelivered; every step is idempotent, so a redelivery
 * converges.
 */
export const handler: SQSHandler = async (event: SQSEvent, context) => {
  const tally = emptyTally();
  const ports = cleanupPorts();
  const processRecord = async (record: SQSRecord) => {
    const work = parseCleanupWork(record.body);
    if (work === undefined) throw new Error(`unrecognised message ${record.messageId}`);
    try {
      await carryOut(work, ports, tally);
    } catch (error) {
      // Reported as failed (retried, then the DLQ); the log says which work and why.
      logger.error('cleanup work failed', {
        work: work.type,
        tenantId: work.tenantId,
        error: error as Error,
      });
      throw error;
    }
  };
  const { result, capacity } = await measureCapacity(() =>
    processPartialResponse(event, processRecord, processor, { context }),
  );
  const failed = result.batchItemFailures.length;
  const skipped = Object.values(tally.skipped).reduce((sum, count) => sum + count, 0);
  metrics.addMetric('FilesExamined', MetricUnit.Count, tally.examined);
  metrics.addMetric('FilesDeleted', MetricUnit.Count, tally.deleted);
  metrics.addMetric('FilesSkipped', MetricUnit.Count, skipped);
  metrics.addMetric('CleanupMessagesFailed', MetricUnit.Count, failed);
  metrics.addMetric('FilesTransferred', MetricUnit.Count, tally.transferredFiles);
  metrics.addMetric('ProjectsTransferred', MetricUnit.Count, tally.transferredProjects);
  metrics.addMetric('DocumentsRetired', MetricUnit.Count, tally.documentsRetired);
  metrics.publishStoredMetrics();
  logger.info('cleanup batch', {
    job: 'cleanUp',
    messages: event.Records.length,
    ...tally,
    failed,
    capacity,
  });
  return result;
};
