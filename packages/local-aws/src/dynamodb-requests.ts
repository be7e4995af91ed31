import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_HOST } from './constants';

export interface DynamoDbRequestCounter {
  endpoint: string;
  /** Requests so far by operation (`PutItem`, `TransactWriteItems`, ...), whatever DynamoDB answered. */
  counts(): Record<string, number>;
  stop(): Promise<void>;
}

// Every DynamoDB API call is a POST whose X-Amz-Target names the operation: `DynamoDB_20120810.PutItem`.
const operationOf = (request: http.IncomingMessage) =>
  String(request.headers['x-amz-target'] ?? 'unknown')
    .split('.')
    .pop()!;

/**
 * A pass-through proxy in front of DynamoDB Local that counts requests by operation: what AWS bills as requests
 * (a failed conditional write costs a write too), which DynamoDB Local itself does not report. The body and
 * signature pass untouched (the host header is kept, so SigV4 still matches what the client signed).
 */
export async function startDynamoDbRequestCounter(upstream: string): Promise<DynamoDbRequestCounter> {
  const counts: Record<string, number> = {};
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((request, response) => {
    const operation = operationOf(request);
    counts[operation] = (counts[operation] ?? 0) + 1;
    const forward = http.request(
      new URL(request.url ?? '/', upstream),
      { method: request.method, headers: request.headers, agent },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forward.on('error', () => response.destroy());
    request.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOCAL_HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${LOCAL_HOST}:${port}`,
    counts: () => ({ ...counts }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}
