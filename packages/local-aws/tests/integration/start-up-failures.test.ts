import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalAwsError, startDynamoDbLocal, startLocalAws } from '../../src';

/** Each failure must end in one sentence a developer can act on, never a hang or a stack trace. */
describe('local stack failures', () => {
  it('refuses a busy port with a sentence naming the port and what wanted it', async () => {
    // Arrange
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      // Act
      const started = startLocalAws({ ports: { dynamodb: port } });
      // Assert
      await expect(started).rejects.toThrow(LocalAwsError);
      await expect(started).rejects.toThrow(`Port ${port} for DynamoDB Local is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('says Java is missing when there is no java to run', async () => {
    // Arrange
    const missingJava = path.join(mkdtempSync(path.join(tmpdir(), 'no-java-')), 'java');
    // Act
    const started = startDynamoDbLocal({ javaCommand: missingJava });
    // Assert
    await expect(started).rejects.toThrow(LocalAwsError);
    await expect(started).rejects.toThrow(
      `Java 17 or newer is required for DynamoDB Local, but \`${missingJava}\` could not be run`,
    );
  });

  it('reports an emulator that dies after start-up, once, and not one that was stopped', async () => {
    // Arrange
    const crashes: string[] = [];
    const dynamodb = await startDynamoDbLocal({ onCrash: (message) => crashes.push(message) });
    const stoppedOnPurpose = await startDynamoDbLocal({ onCrash: (message) => crashes.push(message) });

    // Act
    process.kill(dynamodb.pid, 'SIGKILL');
    await stoppedOnPurpose.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));

    // Assert
    expect(crashes).toEqual(['DynamoDB Local stopped unexpectedly (SIGKILL).']);
  });
});
