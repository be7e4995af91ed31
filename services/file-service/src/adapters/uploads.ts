import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { requiredEnv, sqsClient } from '@pixelvault/core';
import type { CompletionPorts } from '../domain/completion';
import type { RegistrationPorts, RegistrationSettings } from '../domain/registration';
import { uploadCompletedHint } from '../domain/upload-notice';
import { createPendingFiles } from './files';
import { tenantUploadLimits } from './tenants';
import {
  completeMultipartUpload,
  objectExists,
  presignFileUpload,
  presignParts,
  startMultipartUpload,
} from './storage';

const DEFAULT_MULTIPART_THRESHOLD_BYTES = 64 * 1024 * 1024;

function multipartThresholdBytes(): number {
  const configured = Number(process.env.MULTIPART_THRESHOLD_BYTES || DEFAULT_MULTIPART_THRESHOLD_BYTES);
  if (!Number.isSafeInteger(configured) || configured < 1) {
    throw new Error(`MULTIPART_THRESHOLD_BYTES must be a positive integer, got ${configured}`);
  }
  return configured;
}

/** The tenant's limits (one cached read) and the multipart threshold, for one registration request. */
export async function registrationSettings(tenantId: string): Promise<RegistrationSettings> {
  return {
    limits: await tenantUploadLimits(tenantId),
    multipartThresholdBytes: multipartThresholdBytes(),
    now: new Date(),
  };
}

export const registrationPorts: RegistrationPorts = {
  startMultipart: startMultipartUpload,
  createFiles: createPendingFiles,
  presignPut: presignFileUpload,
  presignParts,
};

export const completionPorts: CompletionPorts = {
  objectExists,
  completeMultipart: completeMultipartUpload,
  async sendHint(key) {
    const hint = uploadCompletedHint(requiredEnv('BUCKET_NAME'), key);
    await sqsClient().send(
      new SendMessageCommand({
        QueueUrl: requiredEnv('POST_UPLOAD_QUEUE_URL'),
        MessageBody: JSON.stringify(hint),
      }),
    );
  },
};
