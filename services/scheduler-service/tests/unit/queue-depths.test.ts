import { queueDepthReport, type QueueDepth } from '../../src/domain/queue-depths';

const depth = (
  queue: string,
  isDeadLetterQueue: boolean,
  visible = 0,
  inFlight = 0,
  delayed = 0,
): QueueDepth => ({
  queue,
  isDeadLetterQueue,
  visible,
  inFlight,
  delayed,
});

describe('queueDepthReport', () => {
  it('asks for attention only for dead-letter queues that hold messages', () => {
    // Arrange
    const queues = [
      depth('post-upload', false, 500),
      depth('post-upload-dlq', true, 0, 1),
      depth('cleanup-dlq', true),
    ];
    // Act
    const report = queueDepthReport(new Date('2026-11-25T08:00:00Z'), queues);
    // Assert
    expect(report.attention).toEqual(['post-upload-dlq']);
    expect(report.at).toBe('2026-11-25T08:00:00.000Z');
  });

  it('counts delayed messages in a dead-letter queue too', () => {
    expect(queueDepthReport(new Date(), [depth('cleanup-dlq', true, 0, 0, 2)]).attention).toEqual([
      'cleanup-dlq',
    ]);
  });
});
