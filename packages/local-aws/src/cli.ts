/**
 * `pnpm local-aws`: only the embedded AWS stack, provisioned from shared-resources' CloudFormation,
 * for use with your own tools. `pnpm dev` starts this and every service.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LocalAwsError } from './errors';
import { devPorts } from './ports';
import { loadSharedResourcesTemplate, provisionFromTemplate } from './provision';
import { startLocalAws } from './stack';

const repoRoot = path.resolve(__dirname, '../../..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { stage: { type: 'string', default: 'dev' }, 'in-memory': { type: 'boolean', default: false } },
  });
  const [aws, template] = await Promise.all([
    startLocalAws({
      dataDir: values['in-memory'] ? undefined : path.join(repoRoot, '.local', 'data'),
      ports: devPorts().emulators,
    }),
    loadSharedResourcesTemplate({ stage: values.stage!, repoRoot }),
  ]);
  const outputs = await provisionFromTemplate(template, { ...aws.clients, region: aws.region });
  console.log('Local AWS is running. Ctrl-C stops it.\n');
  console.log(
    JSON.stringify({ endpoints: aws.endpoints, environment: aws.lambdaEnvironment(), outputs }, null, 2),
  );
  const shutdown = () => void aws.stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof LocalAwsError ? `local-aws: ${error.message}` : error);
  process.exit(1);
});
