import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { testSystem } from '../../../../tests/helpers/system';

interface Operation {
  responses: Record<string, unknown>;
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

const repoRoot = path.resolve(__dirname, '../../../..');

/** `METHOD /path` of every http event the function services deploy, health checks aside. */
function deployedRoutes(): string[] {
  return ['auth-service', 'file-service', 'project-service', 'scheduler-service'].flatMap((service) => {
    const config = parse(readFileSync(path.join(repoRoot, 'services', service, 'serverless.yml'), 'utf8'), {
      logLevel: 'error',
    }) as {
      functions: Record<string, { events?: Array<{ http?: string | { method: string; path: string } }> }>;
    };
    return Object.values(config.functions)
      .flatMap((fn) => fn.events ?? [])
      .flatMap(({ http }) => {
        if (http === undefined) return [];
        const [method, route] = typeof http === 'string' ? http.split(' ') : [http.method, http.path];
        return [`${method!.toUpperCase()} ${route}`];
      })
      .filter((route) => !route.endsWith('/health'));
  });
}

async function openApi(): Promise<{ status: number; document: OpenApi }> {
  const response = await fetch(`${testSystem().url}/v1/openapi.json`);
  return { status: response.status, document: (await response.json()) as OpenApi };
}

const operationsOf = (document: OpenApi) =>
  Object.entries(document.paths).flatMap(([route, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      route,
      method: method.toUpperCase(),
      operation,
    })),
  );

describe('GET /v1/openapi.json', () => {
  it('describes exactly the routes the services deploy, as OpenAPI 3.1, without a token', async () => {
    // Act
    const { status, document } = await openApi();

    // Assert
    expect(status).toBe(200);
    expect(document.openapi).toBe('3.1.0');
    const described = operationsOf(document).map(({ method, route }) => `${method} ${route}`);
    expect(described.sort()).toEqual(deployedRoutes().sort());
  });

  it('gets a declared answer from every live route it describes (called without credentials)', async () => {
    // Arrange
    const { document } = await openApi();
    const placeholder = 'AAAAAAAAAAAAAAAAAAAAAA';

    // Act
    const answers = await Promise.all(
      operationsOf(document).map(async ({ route, method, operation }) => {
        const response = await fetch(`${testSystem().url}${route.replace(/\{[^}]+\}/g, placeholder)}`, {
          method,
          headers: { 'content-type': 'application/json' },
          ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
        });
        await response.arrayBuffer();
        return {
          operation: `${method} ${route}`,
          status: response.status,
          declared: Object.keys(operation.responses),
        };
      }),
    );

    // Assert: each status is one the description lists for that operation (never an unmapped 404 or a 5xx)
    for (const answer of answers) {
      expect({
        operation: answer.operation,
        declared: answer.declared.includes(String(answer.status)),
      }).toEqual({
        operation: answer.operation,
        declared: true,
      });
    }
  });
});
