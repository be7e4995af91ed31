import net from 'node:net';
import { LOCAL_HOST } from './constants';
import { LocalAwsError } from './errors';

/** Asks the OS for a free port; tests use it so parallel runs never clash. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOCAL_HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Fails fast with one clear sentence when a fixed port is taken, instead of a hang or a stack trace. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new LocalAwsError(
              `Port ${port} for ${what} is already in use; stop what holds it or choose another port.`,
            )
          : error,
      ),
    );
    server.listen(port, LOCAL_HOST, () => server.close(() => resolve()));
  });
}

/** Resolves once something accepts TCP connections on the port, or rejects after the deadline. */
export async function waitForPort(port: number, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, LOCAL_HOST);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline)
      throw new LocalAwsError(`${what} did not open port ${port} within ${timeoutMs} ms.`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The fixed ports of `pnpm dev` and `pnpm local-aws`, each overridable by an environment variable. */
export function devPorts() {
  const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  return {
    emulators: {
      dynamodb: port('DYNAMODB_PORT', 8000),
      sqs: port('SQS_PORT', 9324),
      s3: port('S3_PORT', 9000),
    },
    gateway: port('PORT', 3000),
  };
}
