import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { requiredEnv, sqsClient, type UserErasure } from '@pixelvault/core';

/** Work the scheduler's cleanup worker carries out after an identity event. */
export type IdentityWork =
  | { type: 'session-ended'; tenantId: string; sessionId: string; at: string }
  | { type: 'ownership-transfer'; tenantId: string; fromOwner: string; toOwner: string; at: string }
  | UserErasure;

export async function enqueueWork(work: IdentityWork): Promise<void> {
  await sqsClient().send(
    new SendMessageCommand({
      QueueUrl: requiredEnv('CLEANUP_QUEUE_URL'),
      MessageBody: JSON.stringify(work),
      MessageAttributes: { type: { DataType: 'String', StringValue: work.type } },
    }),
  );
}
