import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_HOST, LOCAL_REGION } from './constants';
import { LocalAwsError } from './errors';
import { assertPortFree, freePort } from './ports';

export interface DynamoDbLocalOptions {
  /** Fixed port; random free port when omitted. */
  port?: number;
  /** Persist tables here; in memory when omitted. */
  dataDir?: string;
  /** The java to run; JAVA_HOME's, else the one on PATH. */
  javaCommand?: string;
  /** Called when the emulator dies after start-up without stop() having been called. */
  onCrash?: (message: string) => void;
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** The Java process, for diagnostics. */
  pid: number;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

/** The DynamoDB Local jar ships inside amplify-dynamodb-simulator; we run it directly rather than via its launcher. */
function emulatorDir(): string {
  return path.join(path.dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

function defaultJava(): string {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

function assertJava(java: string): void {
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new LocalAwsError(
      `Java 17 or newer is required for DynamoDB Local, but \`${java}\` could not be run; install a JDK or JRE 17+ (or set JAVA_HOME).`,
    );
  }
  const major = /version "(\d+)/.exec(probe.stderr)?.[1];
  if (major && Number(major) < 17) {
    throw new LocalAwsError(`Java 17 or newer is required for DynamoDB Local; found Java ${major}.`);
  }
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const java = options.javaCommand ?? defaultJava();
  assertJava(java);
  const port = options.port ?? (await freePort());
  if (options.port) await assertPortFree(port, 'DynamoDB Local');
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });

  const cwd = emulatorDir();
  const child = spawn(
    java,
    [
      '-Xrs',
      '-Djava.library.path=DynamoDBLocal_lib',
      '-jar',
      'DynamoDBLocal.jar',
      '-sharedDb',
      '-port',
      String(port),
      ...storage,
    ],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const endpoint = `http://${LOCAL_HOST}:${port}`;
  try {
    await waitUntilServing(endpoint, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping)
      options.onCrash?.(`DynamoDB Local stopped unexpectedly (${signal ?? `exit code ${code}`}).`);
  });
  return {
    endpoint,
    port,
    pid: child.pid!,
    stop: () => {
      stopping = true;
      return stopChild(child);
    },
  };
}

async function waitUntilServing(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  try {
    for (;;) {
      if (exited !== null) {
        throw new LocalAwsError(
          `DynamoDB Local exited with code ${exited} during start-up: ${output().trim()}`,
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        if (Date.now() > deadline) {
          throw new LocalAwsError(
            `DynamoDB Local did not answer within ${READY_TIMEOUT_MS} ms: ${output().trim()}`,
          );
        }
        await new Promise((r) => setTimeout(r, 150));
      }
    }
  } finally {
    client.destroy();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
