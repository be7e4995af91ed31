import { fork, type Serializable } from 'node:child_process';
import path from 'node:path';
import { pinProcess } from './cpu';

type ChildMessage<Result> = { ready: true } | { result: Result } | { error: string };

/**
 * Runs `request` in a fresh Node process started from `script` (which calls answerParent), restricted to `cores`
 * when given (taskset list), and answers its result. Its CPU time is then its own, not this process's (which
 * serves the emulated S3 and SQS).
 */
export function inChildProcess<Request extends Serializable, Result>(
  script: string,
  request: Request,
  cores?: string,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, script), {
      // What the child runs may log (the processor logs a line per record, as in Lambda); nobody reads it here.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      // Buffers cross as bytes, not JSON.
      serialization: 'advanced',
    });
    child.on('message', (message: ChildMessage<Result>) => {
      if ('ready' in message) {
        // Pinned once loaded, before it starts the work: every thread it has and starts is on `cores`.
        if (cores !== undefined) pinProcess(child.pid!, cores);
        child.send(request);
      } else if ('error' in message) reject(new Error(`${script}: ${message.error}`));
      else resolve(message.result);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) without an answer`)));
  });
}

/** The child's side of inChildProcess: takes the request, runs it, answers and exits. */
export function answerParent<Request, Result>(run: (request: Request) => Promise<Result>): void {
  process.once('message', (request: Request) => {
    run(request).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (error: unknown) =>
        process.send!({ error: String((error as Error).stack ?? error) }, () => process.exit(1)),
    );
  });
  process.send!({ ready: true });
}
