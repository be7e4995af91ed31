import { Stoppers } from '../../src/all-started';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Stoppers', () => {
  it('stops in reverse order and carries on past a failing stop', async () => {
    // Arrange
    const stopped: string[] = [];
    const stoppers = new Stoppers();
    stoppers.add({ stop: () => void stopped.push('first') });
    stoppers.add({
      stop: async () => {
        stopped.push('second');
        throw new Error('would not stop');
      },
    });
    stoppers.add({ stop: () => void stopped.push('third') });

    // Act
    await stoppers.stopAll();

    // Assert
    expect(stopped).toStrictEqual(['third', 'second', 'first']);
  });

  it('resolves a second stopAll only once the first has stopped everything', async () => {
    // Arrange
    let slowStopped = false;
    const stoppers = new Stoppers();
    stoppers.add({
      stop: async () => {
        await sleep(100);
        slowStopped = true;
      },
    });
    const first = stoppers.stopAll();

    // Act
    await stoppers.stopAll();

    // Assert
    expect(slowStopped).toBe(true);
    await first;
  });
});
