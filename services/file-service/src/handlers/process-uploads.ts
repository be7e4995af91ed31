import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { logger, requiredEnv } from '@pixelvault/core';
import type { SQSHandler, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import { processingPorts } from '../adapters/processing';
import { parseUploadNotices } from '../domain/upload-notice';
import { processUpload } from '../domain/upload-processing';

const processor = new BatchProcessor(EventType.SQS);

// Two originals at a time: one downloads while the other decodes, and even two 100 MP images fit in memory.
const oneOfTwo = pLimit(2);

async function processRecord(record: SQSRecord): Promise<void> {
  const notices = parseUploadNotices(record.body);
  // Not ours: retried, then kept in the DLQ for a person to look at.
  if (notices === undefined) throw new Error(`unrecognised message ${record.messageId}`);
  for (const notice of notices) {
    if (notice.bucket !== requiredEnv('BUCKET_NAME')) {
      logger.warn('notice for another bucket ignored', { bucket: notice.bucket, key: notice.key });
      continue;
    }
    const outcome = await oneOfTwo(() => processUpload(notice, processingPorts));
    logger.info('upload processed', { tenantId: notice.tenantId, fileId: notice.fileId, outcome });
  }
}

/**
 * S3 notifications of new originals and POST /complete hints, up to ten per invocation. A record that throws is
 * reported alone (ReportBatchItemFailures) and retried; after three receives it lands in the DLQ.
 */
export const handler: SQSHandler = (event, context) =>
  processPartialResponse(event, processRecord, processor, { context });
