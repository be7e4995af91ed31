import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_HOST } from './constants';

/** DynamoDB traffic since start: API requests by operation, and the item writes inside them. */
export interface DynamoDbTraffic {
  /** Requests by operation (`PutItem`, `BatchWriteItem`, ...), whatever DynamoDB answered. */
  requests: Record<string, number>;
  /**
   * Items written or deleted, as on-demand billing counts write request units (before size and transaction
   * factors): one per PutItem, UpdateItem, DeleteItem, per entry of a BatchWriteItem, per Put, Update or Delete
   * of a TransactWriteItems. Refused conditional writes count, as AWS bills them.
   */
  itemWrites: number;
}

export interface DynamoDbRequestCounter {
  endpoint: string;
  traffic(): DynamoDbTraffic;
  stop(): Promise<void>;
}

const SINGLE_ITEM_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

// Every DynamoDB API call is a POST whose X-Amz-Target names the operation: `DynamoDB_20120810.PutItem`.
const operationOf = (request: http.IncomingMessage) =>
  String(request.headers['x-amz-target'] ?? 'unknown')
    .split('.')
    .pop()!;

/** The item writes a request asks for; 0 for reads and table operations. */
export function itemWritesOf(operation: string, body: string): number {
  if (SINGLE_ITEM_WRITES.has(operation)) return 1;
  if (operation === 'BatchWriteItem') {
    const { RequestItems = {} } = JSON.parse(body) as { RequestItems?: Record<string, unknown[]> };
    return Object.values(RequestItems).reduce((sum, writes) => sum + writes.length, 0);
  }
  if (operation === 'TransactWriteItems') {
    const { TransactItems = [] } = JSON.parse(body) as { TransactItems?: Array<Record<string, unknown>> };
    return TransactItems.filter((item) => !('ConditionCheck' in item)).length;
  }
  return 0;
}

/**
 * A pass-through proxy in front of DynamoDB Local that counts requests and item writes, which DynamoDB Local
 * itself does not report. Bodies and signatures pass untouched (the host header is kept, so SigV4 still matches
 * what the client signed).
 */
export async function startDynamoDbRequestCounter(upstream: string): Promise<DynamoDbRequestCounter> {
  const requests: Record<string, number> = {};
  let itemWrites = 0;
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((request, response) => {
    const operation = operationOf(request);
    requests[operation] = (requests[operation] ?? 0) + 1;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        itemWrites += itemWritesOf(operation, Buffer.concat(chunks).toString());
      } catch {
        // A body DynamoDB will refuse as well: no item written.
      }
    });
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
    traffic: () => ({ requests: { ...requests }, itemWrites }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}
