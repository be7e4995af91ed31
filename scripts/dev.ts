/**
 * `pnpm dev`: the whole backend on this machine. Embedded AWS (DynamoDB Local, fauxqs + S3 fidelity layer),
 * resources from shared-resources' CloudFormation, every service under serverless-offline behind one origin.
 */
import path from 'node:path';
import {
  clearDevState,
  describeSystem,
  devPorts,
  LocalAwsError,
  seedTenant,
  startSystem,
  writeDevState,
  type LocalSystem,
} from '@pixelvault/local-aws';

const repoRoot = path.resolve(__dirname, '..');
const dataDir = path.join(repoRoot, '.local', 'data');
const demo = {
  tenantId: process.env.DEMO_TENANT_ID ?? 'demo',
  name: 'Demo Photo Shop',
  clientId: process.env.DEMO_CLIENT_ID ?? 'demo-partner',
  clientSecret: process.env.DEMO_CLIENT_SECRET ?? 'demo-secret',
  scopes: ['sessions:write', 'orders:read', 'orders:write', 'users:erase'],
  // API Gateway API keys are at least 20 characters.
  apiKey: process.env.DEMO_API_KEY ?? 'demo-partner-api-key-local',
};

let system: LocalSystem | undefined;
let stopping = false;
let crashedDuringStart: string | undefined;

async function stopAll(exitCode: number): Promise<never> {
  stopping = true;
  clearDevState(repoRoot);
  await system?.stop();
  process.exit(exitCode);
}

function crashed(message: string): void {
  if (stopping) return;
  if (!system) {
    crashedDuringStart = message;
    return;
  }
  console.error(`pnpm dev: ${message} Stopping everything.`);
  void stopAll(1);
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const verbose = process.env.DEV_VERBOSE === '1';
  console.log('Starting Pixelvault locally…');
  system = await startSystem({
    repoRoot,
    stage: process.env.STAGE ?? 'dev',
    dataDir,
    ports: devPorts().emulators,
    gatewayPort: devPorts().gateway,
    // Signing keys are generated here on first start and kept, so tokens survive restarts.
    params: { signingKeysDir: path.join(repoRoot, '.local', 'keys'), partnerApiKey: demo.apiKey },
    retryDelaySeconds: 5,
    onOutput: (service, line) => {
      // Request logs and handler output; serverless-offline's own banner only with DEV_VERBOSE=1.
      if (verbose || line.includes('(λ:') || line.startsWith('{')) console.log(`[${service}] ${line}`);
    },
    onPollerError: (error, functionName) => console.error(`[poller ${functionName}]`, error),
    onCrash: crashed,
  });
  if (crashedDuringStart) throw new LocalAwsError(crashedDuringStart);
  await seedTenant(system.aws.clients.dynamodb, system.outputs.TableName!, demo);

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      console.log(`\n${signal}: stopping every local process…`);
      void stopAll(0);
    });
  }
  writeDevState(repoRoot, { ...describeSystem(system), pid: process.pid });

  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  console.log(`
Pixelvault is running (ready in ${seconds} s)

  API (one origin)   ${system.url}
    ${['/v1/auth', '/v1/files', '/v1/projects', '/v1/orders'].map((base) => system!.url + base).join('   ')}
  DynamoDB Local     ${system.aws.endpoints.dynamodb}   table ${system.outputs.TableName}
  SQS (fauxqs)       ${system.aws.endpoints.sqs}
  S3                 ${system.aws.endpoints.s3}   bucket ${system.outputs.BucketName}
  Region / keys      ${system.aws.region} / ${system.aws.lambdaEnvironment().AWS_ACCESS_KEY_ID}
  Scheduled jobs     ${system.jobs.map((job) => job.functionKey).join(', ') || 'none'}  (pnpm job <name> [--now ISO-time])
  Data               ${path.relative(repoRoot, dataDir)}/   signing keys .local/keys/
  Demo tenant        ${demo.tenantId}   partner client ${demo.clientId} / ${demo.clientSecret}
                     partner API key (x-api-key) ${demo.apiKey}
                     (DEMO_TENANT_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_API_KEY override)

Ctrl-C stops everything.`);
}

main().catch(async (error: unknown) => {
  console.error(error instanceof LocalAwsError ? `pnpm dev: ${error.message}` : error);
  await stopAll(1);
});
