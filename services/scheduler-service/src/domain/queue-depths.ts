/** Messages in one queue, as SQS reports them. */
export interface QueueDepth {
  queue: string;
  isDeadLetterQueue: boolean;
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface QueueDepthReport {
  at: string;
  queues: QueueDepth[];
  /** Dead-letter queues holding messages: work that failed three times and needs a person. */
  attention: string[];
}

export function queueDepthReport(at: Date, queues: QueueDepth[]): QueueDepthReport {
  const attention = queues
    .filter((queue) => queue.isDeadLetterQueue && queue.visible + queue.inFlight + queue.delayed > 0)
    .map((queue) => queue.queue);
  return { at: at.toISOString(), queues, attention };
}
