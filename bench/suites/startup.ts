import { startDynamoDbLocal, startLocalAws, startSystem } from '@pixelvault/local-aws';
import { median, repoRoot } from '../results-file';

const RUNS = 3;

async function timed(start: () => Promise<{ stop(): Promise<void> }>): Promise<number> {
  const began = performance.now();
  const running = await start();
  const elapsed = performance.now() - began;
  await running.stop();
  return elapsed;
}

async function systemReady(): Promise<number> {
  const began = performance.now();
  const system = await startSystem({ repoRoot, stage: 'bench', buildDir: '.esbuild-bench' });
  const response = await fetch(`${system.url}/v1/files/health`);
  const elapsed = performance.now() - began;
  await system.stop();
  if (!response.ok) throw new Error(`health answered ${response.status}`);
  return elapsed;
}

/** Start-up of the embedded stack, against DynamoDB Local alone (the JVM start dominates) measured in the same run. */
export async function startup() {
  const dynamodbAlone: number[] = [];
  const localAws: number[] = [];
  const system: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    dynamodbAlone.push(await timed(() => startDynamoDbLocal()));
    localAws.push(await timed(() => startLocalAws()));
    system.push(await systemReady());
  }
  const ms = (values: number[]) => Math.round(median(values));
  return {
    runs: RUNS,
    dynamodbLocalAloneMs: ms(dynamodbAlone),
    localAwsStackMs: ms(localAws),
    localAwsOverDynamodbRatio: +(median(localAws) / median(dynamodbAlone)).toFixed(2),
    wholeSystemFirstResponseMs: ms(system),
    rows: [
      [
        'Local AWS stack start (DynamoDB Local + fauxqs + S3 fidelity), median of 3',
        `${ms(localAws)} ms (DynamoDB Local alone: ${ms(dynamodbAlone)} ms)`,
      ],
      [
        'Whole system to first API answer (stack, provisioning, 4 services offline, gateway)',
        `${ms(system)} ms`,
      ],
    ],
  };
}
