import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeSystem, startSystem, type LocalSystem } from '@pixelvault/local-aws';

declare global {
  var pixelvaultSystem: LocalSystem | undefined;
}

/** One local system for the integration run, on random ports; workers find it through PIXELVAULT_SYSTEM. */
export default async function globalSetup(): Promise<void> {
  const system = await startSystem({
    repoRoot: path.resolve(__dirname, '../..'),
    stage: 'test',
    buildDir: '.esbuild-test',
    retryDelaySeconds: 1,
    // Tests read the cleanup queue's messages (the events the services send) and drive the worker themselves.
    unpolledFunctions: ['cleanUp'],
    // PIXELVAULT_SERVICE_OUTPUT=scheduler-service (comma-separated) shows those services' output while debugging.
    onOutput: (service, line) => {
      if (process.env.PIXELVAULT_SERVICE_OUTPUT?.split(',').includes(service))
        process.stderr.write(`[${service}] ${line}\n`);
    },
    params: {
      signingKeysDir: mkdtempSync(path.join(tmpdir(), 'pixelvault-keys-')),
      partnerApiKey: `test-partner-key-${randomBytes(8).toString('hex')}`,
      // Superseded project documents reach the cleanup queue after 2 s instead of 15 min.
      supersededDocumentDelaySeconds: '2',
    },
  });
  globalThis.pixelvaultSystem = system;
  process.env.PIXELVAULT_SYSTEM = JSON.stringify(describeSystem(system));
}
