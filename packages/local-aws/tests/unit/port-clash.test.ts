import { LocalAwsError } from '../../src/errors';
import { retryOnPortClash } from '../../src/system/offline';

const clash = () =>
  new LocalAwsError(
    'file-service (serverless-offline) exited with code 1 during start-up: listen EADDRINUSE',
  );

/** A start that fails with each of `failures` in turn, then answers 'started'; counts its calls. */
function startFailing(...failures: Error[]) {
  let calls = 0;
  return {
    start: async () => {
      const failure = failures[calls++];
      if (failure) throw failure;
      return 'started';
    },
    calls: () => calls,
  };
}

describe('retryOnPortClash', () => {
  it('starts again on fresh ports when the start hit a taken port', async () => {
    // Arrange
    const service = startFailing(clash(), clash());
    // Act
    const started = await retryOnPortClash(service.start);
    // Assert
    expect(started).toBe('started');
    expect(service.calls()).toBe(3);
  });

  it('gives up after three clashes with the last error', async () => {
    // Arrange
    const service = startFailing(clash(), clash(), clash(), clash());
    // Act
    const started = retryOnPortClash(service.start);
    // Assert
    await expect(started).rejects.toThrow('EADDRINUSE');
    expect(service.calls()).toBe(3);
  });

  it('does not retry any other start-up failure', async () => {
    // Arrange
    const service = startFailing(new LocalAwsError('file-service exited with code 1: Cannot find module'));
    // Act
    const started = retryOnPortClash(service.start);
    // Assert
    await expect(started).rejects.toThrow('Cannot find module');
    expect(service.calls()).toBe(1);
  });
});
