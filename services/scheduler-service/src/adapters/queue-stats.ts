import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '@pixelvault/core';
import type { QueueDepth } from '../domain/queue-depths';

export interface WatchedQueue {
  url: string;
  isDeadLetterQueue: boolean;
}

export async function readQueueDepth({ url, isDeadLetterQueue }: WatchedQueue): Promise<QueueDepth> {
  const { Attributes: attributes = {} } = await sqsClient().send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    queue: url.split('/').pop()!,
    isDeadLetterQueue,
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}
