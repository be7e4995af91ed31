import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { fileStateChanged, logger, publishEvents } from '@pixelvault/core';
import type { SQSHandler, SQSRecord } from 'aws-lambda';
import { rejectUnprocessable } from '../adapters/processing';
import { parseUploadNotices } from '../domain/upload-notice';

const processor = new BatchProcessor(EventType.SQS);

async function rejectRecord(record: SQSRecord): Promise<void> {
  const notices = parseUploadNotices(record.body);
  if (notices === undefined) {
    // Nothing names a file: the log is the only place this message is kept.
    logger.error('unrecognised message dropped from the post-upload DLQ', {
      messageId: record.messageId,
      body: record.body.slice(0, 2048),
    });
    return;
  }
  const receives = record.attributes.ApproximateReceiveCount;
  for (const notice of notices) {
    const now = new Date();
    const before = await rejectUnprocessable(notice, `processing failed after ${receives} attempts`, now);
    logger.error('upload could not be processed', {
      tenantId: notice.tenantId,
      fileId: notice.fileId,
      rejected: before !== undefined,
    });
    if (before === undefined) continue;
    await publishEvents([
      fileStateChanged(before, { from: before.state, to: 'rejected', at: now, reason: 'processing_failed' }),
    ]);
  }
}

/** The post-upload DLQ: records that failed every delivery. Their files end `rejected` (processing_failed). */
export const handler: SQSHandler = (event, context) =>
  processPartialResponse(event, rejectRecord, processor, { context });
