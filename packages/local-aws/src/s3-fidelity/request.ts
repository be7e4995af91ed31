import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from './xml';

export type QueryParams = Record<string, string | string[]>;

/** A path-style S3 request as received: the raw path is what the signer saw, bucket and key are decoded. */
export interface S3Target {
  path: string;
  query: QueryParams;
  bucket?: string;
  key?: string;
}

const decode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new S3Error(400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
};

/** Splits a request URL. Query values are RFC 3986 decoded (no '+' as space), as SigV4 canonicalization expects. */
export function parseTarget(url: string): S3Target {
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  const query: QueryParams = Object.create(null) as QueryParams;
  for (const pair of mark === -1 ? [] : url.slice(mark + 1).split('&')) {
    if (!pair) continue;
    const equals = pair.indexOf('=');
    const name = decode(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decode(pair.slice(equals + 1));
    const previous = query[name];
    query[name] = previous === undefined ? value : [previous, value].flat();
  }
  const [, bucket, ...keyParts] = path.split('/');
  const key = keyParts.join('/');
  return { path, query, bucket: bucket ? decode(bucket) : undefined, key: key ? decode(key) : undefined };
}

export function param(query: QueryParams, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

export const has = (query: QueryParams, name: string): boolean => query[name] !== undefined;

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export type ObjectEventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload'
  | 'ObjectRemoved:Delete';

/** Object PUT/DELETE subresources that are not PutObject/CopyObject/DeleteObject. */
const OBJECT_SUBRESOURCES = [
  'uploadId',
  'partNumber',
  'acl',
  'tagging',
  'retention',
  'legal-hold',
  'renameObject',
];

/** The S3 operations that emit event notifications; DeleteObjects is told apart because its keys come from the answer. */
export function eventOperation(
  method: string,
  target: S3Target,
  headers: IncomingHttpHeaders,
): ObjectEventName | 'DeleteObjects' | undefined {
  const { key, query } = target;
  if (!target.bucket) return undefined;
  if (!key) return method === 'POST' && has(query, 'delete') ? 'DeleteObjects' : undefined;
  const plain = !OBJECT_SUBRESOURCES.some((name) => has(query, name));
  if (method === 'PUT' && plain)
    return headers['x-amz-copy-source'] ? 'ObjectCreated:Copy' : 'ObjectCreated:Put';
  if (method === 'POST' && has(query, 'uploadId')) return 'ObjectCreated:CompleteMultipartUpload';
  if (method === 'DELETE' && plain) return 'ObjectRemoved:Delete';
  return undefined;
}

/** PutObject and UploadPart carry object bytes whose digests S3 checks; CopyObject and UploadPartCopy carry none. */
export function carriesObjectBody(method: string, target: S3Target, headers: IncomingHttpHeaders): boolean {
  if (method !== 'PUT' || !target.key || headers['x-amz-copy-source']) return false;
  const isPart = has(target.query, 'uploadId') && has(target.query, 'partNumber');
  return isPart || !OBJECT_SUBRESOURCES.some((name) => has(target.query, name));
}
