export interface BatchVerdict {
  /** Message ids to leave on the queue; every id of the batch when the whole batch failed. */
  failedIds: ReadonlySet<string>;
  /** Why a ReportBatchItemFailures response made the whole batch fail. */
  invalidResponse?: string;
}

/**
 * Reads a successful invocation's response as Lambda's SQS event source mapping does. Without
 * ReportBatchItemFailures the response is ignored. With it: null/undefined response or batchItemFailures, or an
 * empty list, mean success; an itemIdentifier that is empty, null, missing or not a message id of the batch, or a
 * response of the wrong shape, fail the whole batch.
 */
export function judgeBatchResponse(
  batchIds: readonly string[],
  response: unknown,
  reportBatchItemFailures: boolean,
): BatchVerdict {
  const none: BatchVerdict = { failedIds: new Set() };
  if (!reportBatchItemFailures || response === undefined || response === null) return none;
  const whole = (invalidResponse: string): BatchVerdict => ({
    failedIds: new Set(batchIds),
    invalidResponse,
  });
  if (typeof response !== 'object' || Array.isArray(response)) {
    return whole('the response is not an object with batchItemFailures');
  }
  const failures: unknown = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return none;
  if (!Array.isArray(failures)) return whole('batchItemFailures is not a list');

  const inBatch = new Set(batchIds);
  const failedIds = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id: unknown = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '')
      return whole(`itemIdentifier ${JSON.stringify(id ?? null)} is empty or missing`);
    if (!inBatch.has(id)) return whole(`itemIdentifier "${id}" is not a messageId of the batch`);
    failedIds.add(id);
  }
  return { failedIds };
}
