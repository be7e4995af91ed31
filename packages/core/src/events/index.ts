import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { sqsClient } from '../aws/clients';
import { chunksOf } from '../chunks';
import { requiredEnv } from '../config';
import type { FileState } from '../entities/file';
import { logger } from '../logger';

/** A file moved from one state to another; the scheduler reacts (rejected and deleted bytes are cleaned up). */
export interface FileStateChanged {
  type: 'file-state-changed';
  tenantId: string;
  fileId: string;
  owner: string;
  from: FileState;
  to: FileState;
  /** `rejected`: the machine-readable reason. */
  reason?: string;
  at: string;
}

/**
 * Files of one tenant that a scheduled job found past their `expiresAt` at `at` (the job's clock): the cleanup
 * worker deletes each one that is still expired and that no project or order references.
 */
export interface FilesExpired {
  type: 'files-expired';
  tenantId: string;
  fileIds: string[];
  at: string;
}

/**
 * A save replaced the project's document object: the cleanup worker deletes `documentKey` once it is no longer
 * the project's current document. Sent with a delay (SUPERSEDED_DOCUMENT_DELAY_SECONDS), so a reader that read the
 * older item just before the save still finds its object.
 */
export interface DocumentSuperseded {
  type: 'document-superseded';
  tenantId: string;
  projectId: string;
  documentKey: string;
  at: string;
}

/** A partner asked to erase one of its users (at `at`, the erasure's `requestedAt`): the cleanup worker does it. */
export interface UserErasure {
  type: 'user-erasure';
  tenantId: string;
  userId: string;
  at: string;
}

export type PixelvaultEvent = FileStateChanged | FilesExpired | DocumentSuperseded | UserErasure;

export const fileStateChanged = (
  file: { tenantId: string; fileId: string; owner: string },
  change: { from: FileState; to: FileState; at: Date; reason?: string },
): FileStateChanged => ({
  type: 'file-state-changed',
  tenantId: file.tenantId,
  fileId: file.fileId,
  owner: file.owner,
  from: change.from,
  to: change.to,
  ...(change.reason === undefined ? {} : { reason: change.reason }),
  at: change.at.toISOString(),
});

// SendMessageBatch takes at most 10 entries.
const SQS_BATCH = 10;

/**
 * Logs each event and sends it to the scheduler's queue (EVENTS_QUEUE_URL), ten per request, visible after
 * `delaySeconds` (SQS allows up to 900). Throws when any entry was not accepted, so the caller's message is
 * retried rather than an event silently lost.
 */
export async function publishEvents(
  events: readonly PixelvaultEvent[],
  { delaySeconds }: { delaySeconds?: number } = {},
): Promise<void> {
  if (events.length === 0) return;
  for (const event of events) logger.info('event', { event });
  const queueUrl = requiredEnv('EVENTS_QUEUE_URL');
  for (const batch of chunksOf(events, SQS_BATCH)) {
    const entries: SendMessageBatchRequestEntry[] = batch.map((event, index) => ({
      Id: String(index),
      MessageBody: JSON.stringify(event),
      ...(delaySeconds === undefined ? {} : { DelaySeconds: delaySeconds }),
      MessageAttributes: { type: { DataType: 'String', StringValue: event.type } },
    }));
    const { Failed = [] } = await sqsClient().send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
    );
    if (Failed.length > 0) {
      throw new Error(`${Failed.length} events not accepted: ${Failed.map((f) => f.Code).join(', ')}`);
    }
  }
}
