import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_HOST } from '../constants';
import { assertPortFree } from '../ports';
import { isOfflineRefusal, type GatewayResponses } from './gateway-responses';

/** A base path (e.g. `/v1/files`) served by the API of one service, like an API Gateway base path mapping. */
export interface BasePathMapping {
  basePath: string;
  target: string;
}

export interface Gateway {
  url: string;
  port: number;
  /** Until the services are up, every path answers 503; the port is held from the start. */
  route(mappings: readonly BasePathMapping[]): void;
  /** A local-only diagnostic (no deployed API has it): GET `path` answers `read()` as JSON. */
  serveLocal(path: string, read: () => unknown): void;
  stop(): Promise<void>;
}

/** Longest base path wins, matched on whole path segments, so `/v1/files` never captures `/v1/filesystem`. */
export function routeFor(
  mappings: readonly BasePathMapping[],
  pathname: string,
): BasePathMapping | undefined {
  return [...mappings]
    .sort((a, b) => b.basePath.length - a.basePath.length)
    .find(({ basePath }) => pathname === basePath || pathname.startsWith(`${basePath}/`));
}

const NO_ROUTE = JSON.stringify({ error: { code: 'not_found', message: 'No API is mapped to this path' } });
const STARTING = JSON.stringify({
  error: { code: 'starting', message: 'The local system is still starting' },
});
const BAD_GATEWAY = JSON.stringify({
  error: { code: 'bad_gateway', message: 'The service behind this path is not answering' },
});

/** One local origin in front of every service's API: the local twin of a custom domain with base path mappings. */
export async function startGateway(
  port: number,
  gatewayResponses: GatewayResponses = new Map(),
): Promise<Gateway> {
  if (port) await assertPortFree(port, 'the API gateway');
  let mappings: readonly BasePathMapping[] | undefined;
  const local = new Map<string, () => unknown>();
  const server = http.createServer((request, response) => {
    if (!mappings) {
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end(STARTING);
      return;
    }
    const pathname = new URL(request.url ?? '/', 'http://gateway').pathname;
    const read = request.method === 'GET' ? local.get(pathname) : undefined;
    if (read) {
      response
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(read()));
      return;
    }
    const route = routeFor(mappings, pathname);
    if (!route) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(NO_ROUTE);
      return;
    }
    const target = new URL(request.url ?? '/', route.target);
    const upstream = http.request(
      target,
      { method: request.method, headers: { ...request.headers, host: target.host } },
      (answer) => {
        const status = answer.statusCode ?? 502;
        const replacement = gatewayResponses.get(status);
        if (!replacement) {
          response.writeHead(status, answer.headers);
          answer.pipe(response);
          return;
        }
        // Refusals are small: buffer them to answer as the deployed Gateway Response would.
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          if (!isOfflineRefusal(status, body)) {
            response.writeHead(status, answer.headers).end(body);
            return;
          }
          response.writeHead(status, { 'content-type': 'application/json' }).end(replacement);
        });
      },
    );
    upstream.on('error', () => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
      response.end(BAD_GATEWAY);
    });
    request.pipe(upstream);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOCAL_HOST, resolve);
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://${LOCAL_HOST}:${actualPort}`,
    port: actualPort,
    route: (next) => {
      mappings = next;
    },
    serveLocal: (path, read) => {
      local.set(path, read);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
