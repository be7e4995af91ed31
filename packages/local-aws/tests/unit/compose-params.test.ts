import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSharedResourcesTemplate } from '../../src/provision/cfn';
import { serviceParams } from '../../src/provision/compose-params';

const repoRoot = path.resolve(__dirname, '../../../..');

describe('serviceParams', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'compose-params-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const writeCompose = (yaml: string) => writeFileSync(path.join(root, 'serverless-compose.yml'), yaml);

  it('replaces shared-resources output references with the local outputs and keeps literals', () => {
    writeCompose(`
services:
  shared-resources:
    path: services/shared-resources
  file-service:
    path: services/file-service
    params:
      tableName: \${shared-resources.TableName}
      queue: url=\${shared-resources.PostUploadQueueUrl}
      maxFiles: 100
`);
    const outputs = { TableName: 'pixelvault-dev', PostUploadQueueUrl: 'http://127.0.0.1:1/000000000000/q' };

    const params = serviceParams('file-service', outputs, root);

    expect(params).toEqual({
      tableName: 'pixelvault-dev',
      queue: 'url=http://127.0.0.1:1/000000000000/q',
      maxFiles: '100',
    });
  });

  it('names an unknown service, an unknown output and a reference to another service', () => {
    writeCompose(`
services:
  a:
    params:
      x: \${shared-resources.Nope}
  b:
    params:
      y: \${auth-service.Url}
`);

    const attempts = ['missing', 'a', 'b'].map((name) => () => serviceParams(name, {}, root));

    expect(attempts[0]).toThrow(/no service "missing"/);
    expect(attempts[1]).toThrow(/\$\{shared-resources\.Nope\} is not an output/);
    expect(attempts[2]).toThrow(/refers to auth-service/);
  });

  it('resolves every service of the real serverless-compose.yml from the real template outputs', async () => {
    const template = await loadSharedResourcesTemplate({ stage: 'test', repoRoot });
    const outputs = Object.fromEntries(
      Object.keys(template.Outputs ?? {}).map((name) => [name, `<${name}>`]),
    );
    const services = ['auth-service', 'file-service', 'project-service', 'scheduler-service'];

    const params = services.map((service) => serviceParams(service, outputs, repoRoot));

    for (const serviceParamsOf of params) {
      expect(Object.values(serviceParamsOf).every((value) => !value.includes('${'))).toBe(true);
    }
    expect(params[1]).toMatchObject({ tableName: '<TableName>', postUploadQueueUrl: '<PostUploadQueueUrl>' });
  }, 60_000);
});
