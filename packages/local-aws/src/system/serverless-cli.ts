import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { LocalAwsError } from '../errors';

/** The osls CLI of a service, run on the same Node as this process (the pinned Node 22). */
export function slsCommand(serviceDir: string, args: readonly string[]): [string, string[]] {
  const bin = createRequire(path.join(serviceDir, 'package.json')).resolve('serverless/bin/serverless.js');
  return [process.execPath, [bin, ...args]];
}

export function paramFlags(params: Record<string, string>): string[] {
  return Object.entries(params).flatMap(([key, value]) => ['--param', `${key}=${value}`]);
}

/** Runs an sls command to completion; its output is kept for the error when it fails. */
export async function runSls(
  serviceDir: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const [command, argv] = slsCommand(serviceDir, args);
  const child = spawn(command, argv, { cwd: serviceDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve(exitCode ?? 1));
  });
  if (code !== 0) {
    throw new LocalAwsError(
      `\`sls ${args.join(' ')}\` failed in ${path.relative(process.cwd(), serviceDir) || '.'}: ${(stderr || stdout).trim()}`,
    );
  }
  return stdout;
}
