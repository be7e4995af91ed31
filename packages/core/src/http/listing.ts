import { badRequest } from '../errors';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** The key attributes an ElectroDB cursor of an owner index (files, projects) carries: table keys plus gsi1 keys. */
const CURSOR_KEYS = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk']);

export interface ListRequest {
  limit: number;
  cursor?: string;
}

const invalid = (field: 'limit' | 'cursor', reason: string) =>
  badRequest(`Invalid query: ${field}: ${reason}`, [{ field, reason }]);

export const invalidCursor = () => invalid('cursor', 'must be the nextCursor of a previous page');

/**
 * Runs one page's Query of an owner list. A well-formed cursor whose keys belong to another query (another
 * owner's, a forged one) makes DynamoDB answer ValidationException: that is the caller's 400, not a 500.
 */
export async function listPage<T>(cursor: string | undefined, query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    const name = (error as { cause?: { name?: string } } | null)?.cause?.name;
    if (cursor !== undefined && name === 'ValidationException') throw invalidCursor();
    throw error;
  }
}

/**
 * ElectroDB's cursor is base64url JSON of DynamoDB's LastEvaluatedKey. Checking that shape here turns a
 * garbage cursor into a 400 instead of ElectroDB's parse error or DynamoDB's ValidationException (a 500).
 */
function isListCursor(cursor: string): boolean {
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) return false;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return (
      typeof key === 'object' &&
      key !== null &&
      !Array.isArray(key) &&
      Object.keys(key).length === CURSOR_KEYS.size &&
      Object.entries(key).every(([name, value]) => CURSOR_KEYS.has(name) && typeof value === 'string')
    );
  } catch {
    return false;
  }
}

/** `?limit&cursor` of a list route: limit 1..100 (20 when absent), cursor as a previous page returned it. */
export function parseListRequest(query: Record<string, string | undefined> | null): ListRequest {
  const { limit: rawLimit, cursor } = query ?? {};
  let limit = DEFAULT_PAGE_SIZE;
  if (rawLimit !== undefined) {
    if (!/^\d{1,3}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_PAGE_SIZE) {
      throw invalid('limit', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    limit = Number(rawLimit);
  }
  if (cursor !== undefined && !isListCursor(cursor)) {
    throw invalidCursor();
  }
  return cursor === undefined ? { limit } : { limit, cursor };
}
