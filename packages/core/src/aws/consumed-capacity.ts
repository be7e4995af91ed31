import { AsyncLocalStorage } from 'node:async_hooks';

/** DynamoDB capacity units a piece of work consumed, as ConsumedCapacity reported them. */
export interface ConsumedCapacity {
  read: number;
  write: number;
  requests: number;
}

const tallies = new AsyncLocalStorage<ConsumedCapacity>();

// The low-level and the document client's names of the read operations.
const READS = new Set([
  'GetItem',
  'Get',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchGet',
  'TransactGetItems',
  'TransactGet',
]);

/** Runs `work` and sums the capacity units of every DynamoDB request it makes through the shared client. */
export async function measureCapacity<T>(
  work: () => Promise<T>,
): Promise<{ result: T; capacity: ConsumedCapacity }> {
  const capacity: ConsumedCapacity = { read: 0, write: 0, requests: 0 };
  const result = await tallies.run(capacity, work);
  return { result, capacity };
}

type Entry = { CapacityUnits?: number } | undefined;

/**
 * SDK middleware of the shared DynamoDB client: inside measureCapacity it asks for ConsumedCapacity (TOTAL)
 * and adds it up; outside it changes nothing.
 */
export const recordConsumedCapacity =
  (next: (args: { input: object }) => Promise<{ output: object }>, context: { commandName?: string }) =>
  async (args: { input: object }) => {
    const tally = tallies.getStore();
    if (!tally) return next(args);
    const result = await next({ ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } });
    const units = (
      [(result.output as { ConsumedCapacity?: Entry | Entry[] }).ConsumedCapacity].flat() as Entry[]
    ).reduce((sum, entry) => sum + (entry?.CapacityUnits ?? 0), 0);
    const operation = (context.commandName ?? '').replace(/Command$/, '');
    tally[READS.has(operation) ? 'read' : 'write'] += units;
    tally.requests += 1;
    return result;
  };
