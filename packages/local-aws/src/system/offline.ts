import { spawn, type ChildProcess } from 'node:child_process';
import { LocalAwsError } from '../errors';
import { LOCAL_HOST } from '../constants';
import { freePort, waitForPort } from '../ports';
import { paramFlags, slsCommand } from './serverless-cli';

export interface OfflineServiceOptions {
  name: string;
  dir: string;
  stage: string;
  region: string;
  params: Record<string, string>;
  /** Added to the handlers' environment: endpoints and credentials of the local stack. */
  env: Record<string, string>;
  /** Lines of the service's own output, for `pnpm dev` to show. */
  onOutput?: (line: string) => void;
  /** Called when the service dies after start-up without stop() having been called. */
  onCrash?: (message: string) => void;
}

export interface OfflineService {
  name: string;
  httpUrl: string;
  lambdaUrl: string;
  /** The serverless-offline process, leader of the process group its workers run in (for diagnostics). */
  pid: number;
  /** Calls a function the way the Lambda Invoke API does; the payload is the handler's result. */
  invoke(functionName: string, event: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

const PORT_ATTEMPTS = 3;

/**
 * Starts again when the start failed on a taken port: a port `freePort` found free can be taken before
 * serverless-offline binds it (an outgoing connection's ephemeral port, or a sibling service starting meanwhile).
 */
export async function retryOnPortClash<T>(start: () => Promise<T>, attempts = PORT_ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      const clash = error instanceof LocalAwsError && error.message.includes('EADDRINUSE');
      if (!clash || attempt >= attempts) throw error;
    }
  }
}

/** Runs one service under serverless-offline: real API Gateway routing and real handler bundles, on loopback. */
export const startOfflineService = (options: OfflineServiceOptions): Promise<OfflineService> =>
  retryOnPortClash(() => startOnFreePorts(options));

async function startOnFreePorts(options: OfflineServiceOptions): Promise<OfflineService> {
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const [command, args] = slsCommand(options.dir, [
    'offline',
    'start',
    '--stage',
    options.stage,
    '--region',
    options.region,
    '--host',
    LOCAL_HOST,
    '--httpPort',
    String(httpPort),
    '--lambdaPort',
    String(lambdaPort),
    ...paramFlags(options.params),
  ]);
  // Its own process group, so stop() also ends the esbuild and worker processes it starts.
  const child = spawn(command, args, {
    cwd: options.dir,
    env: { ...process.env, ...options.env, SLS_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let tail = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-4000);
    for (const line of text.split('\n')) if (line.trim()) options.onOutput?.(line);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let stopping = false;
  const stop = () => {
    stopping = true;
    return stopGroup(child);
  };

  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(
        new LocalAwsError(
          `${options.name} (serverless-offline) exited with code ${code} during start-up: ${tail.trim()}`,
        ),
      ),
    ),
  );
  try {
    await Promise.race([
      Promise.all([
        waitForPort(httpPort, `${options.name} (serverless-offline)`, READY_TIMEOUT_MS),
        waitForPort(lambdaPort, `${options.name} (serverless-offline Lambda API)`, READY_TIMEOUT_MS),
      ]),
      exited,
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  exited.catch(() => {
    if (!stopping)
      options.onCrash?.(
        `${options.name} (serverless-offline) stopped unexpectedly: ${tail.trim().split('\n').pop()}`,
      );
  });

  const lambdaUrl = `http://${LOCAL_HOST}:${lambdaPort}`;
  return {
    name: options.name,
    httpUrl: `http://${LOCAL_HOST}:${httpPort}`,
    lambdaUrl,
    pid: child.pid!,
    invoke: (functionName, event) => invokeOffline(lambdaUrl, functionName, event),
    stop,
  };
}

export async function invokeOffline(
  lambdaUrl: string,
  functionName: string,
  event: unknown,
): Promise<unknown> {
  const response = await fetch(
    `${lambdaUrl}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
    {
      method: 'POST',
      body: JSON.stringify(event),
    },
  );
  const text = await response.text();
  const payload: unknown = text ? JSON.parse(text) : undefined;
  const functionError = response.headers.get('x-amz-function-error');
  if (!response.ok || functionError) {
    const message = (payload as { errorMessage?: string } | undefined)?.errorMessage ?? text;
    throw new Error(`${functionName} failed (${functionError ?? response.status}): ${message}`);
  }
  return payload;
}

export async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // The group is already gone.
    }
  };
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => signal('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      signal('SIGKILL');
      resolve();
    });
    signal('SIGTERM');
  });
}
