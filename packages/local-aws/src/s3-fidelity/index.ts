import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, pipeline } from 'node:stream';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, LOCAL_HOST, LOCAL_REGION } from '../constants';
import { LocalAwsError } from '../errors';
import { digestMismatch, expectedDigests, verifyingStream, type ExpectedDigest } from './checksum';
import {
  corsConfigurationXml,
  parseCorsConfiguration,
  preflightHeaders,
  responseCorsHeaders,
  type CorsRule,
} from './cors';
import {
  BucketNotifications,
  notificationConfigurationXml,
  parseNotificationConfiguration,
  type ObjectEvent,
} from './notifications';
import { MAX_PUT_SIZE, putInParts, SINGLE_PUT_LIMIT } from './large-put';
import { hoistedHeaders, isPresigned, verifyPresigned } from './presigned';
import {
  carriesObjectBody,
  eventOperation,
  has,
  header,
  param,
  parseTarget,
  type ObjectEventName,
  type S3Target,
} from './request';
import {
  assertBucketExists,
  objectPath,
  readBody,
  upstreamCall,
  upstreamRequest,
  withoutHopByHop,
} from './upstream';
import { elements, errorXml, parseXml, S3Error, text } from './xml';

export interface S3FidelityOptions {
  /** fauxqs base URL, e.g. http://127.0.0.1:4566 */
  upstream: string;
  /** Default 0: a random free port. */
  port?: number;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Delivers bucket notifications (queue ARN -> GetQueueUrl by name). */
  sqs: SQSClient;
  /** Clock for presigned expiry checks and event times. */
  now?: () => Date;
}

export interface S3Fidelity {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

interface Context {
  upstream: URL;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  now: () => Date;
  cors: Map<string, CorsRule[]>;
  notifications: BucketNotifications;
}

/** Who sent a request, and the `x-amz-*` values its presigned URL carries as query parameters. */
interface Caller {
  principalId: string;
  hoisted: Record<string, string>;
}

const CONFIGURATION_BODY_LIMIT = 1024 * 1024;
/** fauxqs's hard-coded Fastify bodyLimit: above it, it answers 413 and drops the connection mid-upload. */
const FAUXQS_BODY_LIMIT = 11 * 1024 * 1024;
const RESPONSE_OVERRIDES = [
  'content-type',
  'content-language',
  'expires',
  'cache-control',
  'content-disposition',
  'content-encoding',
];

/**
 * Starts the S3 front of the local stack: an HTTP proxy to fauxqs that adds what fauxqs lacks and our security
 * relies on (presigned signature/expiry, checksums, CORS, notifications). Only presigned URLs are verified;
 * requests with an Authorization header are trusted, as every local SDK client signs with LOCAL_CREDENTIALS.
 */
export async function startS3Fidelity(options: S3FidelityOptions): Promise<S3Fidelity> {
  const upstream = URL.parse(options.upstream);
  if (upstream?.protocol !== 'http:') {
    throw new LocalAwsError(`S3 fidelity upstream must be an http:// URL, got ${options.upstream}.`);
  }
  const context: Context = {
    upstream,
    region: options.region ?? LOCAL_REGION,
    credentials: options.credentials ?? LOCAL_CREDENTIALS,
    now: options.now ?? (() => new Date()),
    cors: new Map(),
    notifications: new BucketNotifications(options.sqs),
  };
  const server = http.createServer((request, response) => void handle(context, request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new LocalAwsError(`Port ${options.port} for the S3 fidelity layer is already in use.`)
          : error,
      ),
    );
    server.listen(options.port ?? 0, LOCAL_HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${LOCAL_HOST}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(context: Context, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const method = request.method ?? 'GET';
  let cors: Record<string, string> = {};
  try {
    const target = parseTarget(request.url ?? '/');
    const rules = target.bucket ? context.cors.get(target.bucket) : undefined;
    if (method === 'OPTIONS') {
      send(response, 200, { ...preflightHeaders(rules, request.headers), 'x-amz-request-id': requestId });
      return;
    }
    cors = responseCorsHeaders(rules, header(request.headers, 'origin'), method);
    const caller = await authenticate(context, request, target);
    const configuredBucket = target.key === undefined ? target.bucket : undefined;
    if (configuredBucket && has(target.query, 'cors')) {
      await corsConfiguration(context, request, response, configuredBucket, {
        ...cors,
        'x-amz-request-id': requestId,
      });
    } else if (configuredBucket && has(target.query, 'notification')) {
      await notificationConfiguration(context, request, response, configuredBucket, requestId);
    } else {
      await forward(context, request, response, target, caller, cors, requestId);
    }
  } catch (error) {
    sendError(request, response, error, cors, requestId);
  }
}

async function authenticate(context: Context, request: IncomingMessage, target: S3Target): Promise<Caller> {
  const authorization = header(request.headers, 'authorization');
  if (isPresigned(target.query)) {
    if (authorization)
      throw new S3Error(
        400,
        'InvalidArgument',
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      );
    const accessKeyId = await verifyPresigned(
      { method: request.method ?? 'GET', path: target.path, query: target.query, headers: request.headers },
      { region: context.region, credentials: context.credentials, now: context.now() },
    );
    return { principalId: `AWS:${accessKeyId}`, hoisted: hoistedHeaders(target.query) };
  }
  // Header-signed SDK calls are not verified (see startS3Fidelity).
  if (authorization)
    return {
      principalId: `AWS:${/Credential=([^/,\s]+)/.exec(authorization)?.[1] ?? 'unknown'}`,
      hoisted: {},
    };
  // Browser POST form uploads carry their policy signature in the form; fauxqs handles them, unverified.
  const isPostObject =
    request.method === 'POST' &&
    target.key === undefined &&
    header(request.headers, 'content-type')?.startsWith('multipart/form-data');
  if (isPostObject) return { principalId: 'anonymous', hoisted: {} };
  // Buckets are private on AWS: an unsigned request must not work locally either.
  throw new S3Error(403, 'AccessDenied', 'Access Denied');
}

async function readConfigurationBody(request: IncomingMessage): Promise<string> {
  const body = await readBody(request, CONFIGURATION_BODY_LIMIT);
  const mismatch = digestMismatch(body, expectedDigests(request.headers, {}));
  if (mismatch) throw mismatch;
  return body.toString('utf8');
}

/** PutBucketCors / GetBucketCors / DeleteBucketCors, which fauxqs does not implement. */
async function corsConfiguration(
  context: Context,
  request: IncomingMessage,
  response: ServerResponse,
  bucket: string,
  headers: OutgoingHttpHeaders,
): Promise<void> {
  await assertBucketExists(context.upstream, bucket);
  if (request.method === 'PUT') {
    context.cors.set(bucket, parseCorsConfiguration(await readConfigurationBody(request)));
    send(response, 200, headers);
  } else if (request.method === 'GET') {
    const rules = context.cors.get(bucket);
    if (!rules) throw new S3Error(404, 'NoSuchCORSConfiguration', 'The CORS configuration does not exist');
    send(response, 200, headers, corsConfigurationXml(rules));
  } else if (request.method === 'DELETE') {
    context.cors.delete(bucket);
    send(response, 204, headers);
  } else {
    throw methodNotAllowed();
  }
}

/** PutBucketNotificationConfiguration / GetBucketNotificationConfiguration, which fauxqs accepts and ignores. */
async function notificationConfiguration(
  context: Context,
  request: IncomingMessage,
  response: ServerResponse,
  bucket: string,
  requestId: string,
): Promise<void> {
  await assertBucketExists(context.upstream, bucket);
  const headers = { 'x-amz-request-id': requestId };
  if (request.method === 'PUT') {
    const configurations = parseNotificationConfiguration(await readConfigurationBody(request));
    await context.notifications.configure(bucket, configurations, context.now(), requestId);
    send(response, 200, headers);
  } else if (request.method === 'GET') {
    send(response, 200, headers, notificationConfigurationXml(context.notifications.get(bucket)));
  } else {
    throw methodNotAllowed();
  }
}

const methodNotAllowed = (): S3Error =>
  new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');

async function forward(
  context: Context,
  request: IncomingMessage,
  response: ServerResponse,
  target: S3Target,
  caller: Caller,
  cors: Record<string, string>,
  requestId: string,
): Promise<void> {
  const method = request.method ?? 'GET';
  const length = Number(header(request.headers, 'content-length') ?? 0);
  if (length > MAX_PUT_SIZE) {
    throw new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
  }
  // aws-chunked bodies carry their checksum in a trailer inside the framing; fauxqs decodes them, we pass them on.
  const awsChunked = header(request.headers, 'content-encoding')?.includes('aws-chunked') ?? false;
  const digests =
    carriesObjectBody(method, target, request.headers) && !awsChunked
      ? expectedDigests(request.headers, caller.hoisted)
      : [];
  const { bucket, key } = target;
  const isPutObject = eventOperation(method, target, request.headers) === 'ObjectCreated:Put';
  if (bucket && key && isPutObject && !awsChunked && length > SINGLE_PUT_LIMIT) {
    await forwardInParts(context, request, response, { bucket, key }, caller, cors, requestId, digests);
    return;
  }
  if (length > FAUXQS_BODY_LIMIT) {
    throw new S3Error(
      400,
      'EntityTooLarge',
      `The local S3 (fauxqs) accepts parts and aws-chunked bodies up to ${FAUXQS_BODY_LIMIT} bytes.`,
    );
  }
  const operation =
    target.bucket && context.notifications.get(target.bucket).length > 0
      ? eventOperation(method, target, request.headers)
      : undefined;

  // DeleteObjects events name the requested keys: a Quiet answer lists none.
  const sent: Buffer[] = [];
  const upstream = upstreamRequest(context.upstream, method, request.url ?? '/', {
    ...withoutHopByHop(request.headers),
    ...caller.hoisted,
  });
  const answer = await new Promise<IncomingMessage>((resolve, reject) => {
    upstream.on('response', resolve).on('error', reject);
    // Not stream.pipeline: it would destroy the client socket on failure, and the client must still get our error.
    const body = digests.length > 0 ? verifyingStream(digests) : new PassThrough();
    body.on('error', (error) => {
      upstream.destroy();
      reject(error);
    });
    request.on('close', () => {
      if (!request.complete) upstream.destroy();
    });
    if (operation === 'DeleteObjects') body.on('data', (chunk: Buffer) => sent.push(chunk));
    request.pipe(body).pipe(upstream);
  });

  if (!request.complete) {
    request.unpipe();
    request.resume();
  }
  const status = answer.statusCode ?? 502;
  const headers = {
    ...withoutHopByHop(answer.headers),
    ...responseOverrides(method, status, target),
    ...cors,
  };
  if (
    target.bucket &&
    target.key === undefined &&
    method === 'DELETE' &&
    Object.keys(target.query).length === 0 &&
    status === 204
  ) {
    context.cors.delete(target.bucket);
    context.notifications.set(target.bucket, []);
  }
  if (!operation || !target.bucket || status >= 300) {
    response.writeHead(status, headers);
    pipeline(answer, response, () => undefined);
    return;
  }
  // Answers of event-emitting operations are small; holding them until the events are queued keeps local runs deterministic.
  const body = await readBody(answer, Number.POSITIVE_INFINITY);
  await publishEvents(
    context,
    operation,
    target.key,
    { request: Buffer.concat(sent).toString('utf8'), answer: body.toString('utf8') },
    {
      ...eventBase(context, request, target.bucket, caller),
      requestId: header(answer.headers, 'x-amz-request-id') ?? requestId,
      hostId: header(answer.headers, 'x-amz-id-2') ?? requestId,
    },
  );
  response.writeHead(status, headers);
  response.end(body);
}

/** A PutObject too large for one fauxqs request: stored in parts, answered and announced as the single PUT it is. */
async function forwardInParts(
  context: Context,
  request: IncomingMessage,
  response: ServerResponse,
  { bucket, key }: { bucket: string; key: string },
  caller: Caller,
  cors: Record<string, string>,
  requestId: string,
  digests: ExpectedDigest[],
): Promise<void> {
  const headers = { ...request.headers, ...caller.hoisted };
  const eTag = await putInParts({ upstream: context.upstream, bucket, key, headers, digests }, request);
  if (context.notifications.get(bucket).length > 0) {
    await publishEvents(
      context,
      'ObjectCreated:Put',
      key,
      { request: '', answer: '' },
      { ...eventBase(context, request, bucket, caller), requestId, hostId: requestId },
    );
  }
  const checksum = header(headers, 'x-amz-checksum-sha256');
  send(response, 200, {
    etag: eTag,
    ...(checksum ? { 'x-amz-checksum-sha256': checksum, 'x-amz-checksum-type': 'FULL_OBJECT' } : {}),
    'x-amz-request-id': requestId,
    'x-amz-id-2': requestId,
    ...cors,
  });
}

type EventBase = Omit<ObjectEvent, 'eventName' | 'key' | 'object' | 'sequencer'>;

function eventBase(
  context: Context,
  request: IncomingMessage,
  bucket: string,
  caller: Caller,
): Omit<EventBase, 'requestId' | 'hostId'> {
  return {
    region: context.region,
    time: context.now(),
    bucket,
    principalId: caller.principalId,
    sourceIp: (request.socket.remoteAddress ?? LOCAL_HOST).replace(/^::ffff:/, ''),
  };
}

/** Delivery failures are logged, not answered: the S3 operation itself succeeded. */
async function publishEvents(
  context: Context,
  operation: ObjectEventName | 'DeleteObjects',
  key: string | undefined,
  bodies: { request: string; answer: string },
  base: EventBase,
): Promise<void> {
  await deliverEvents(context, operation, key, bodies, base).catch((error: unknown) =>
    console.warn(
      `S3 fidelity: could not deliver ${operation} notification for ${base.bucket}: ${String(error)}`,
    ),
  );
}

async function deliverEvents(
  context: Context,
  operation: ObjectEventName | 'DeleteObjects',
  key: string | undefined,
  bodies: { request: string; answer: string },
  base: EventBase,
): Promise<void> {
  const publish = (eventName: ObjectEventName, objectKey: string, object?: ObjectEvent['object']) =>
    context.notifications.publish({
      ...base,
      eventName,
      key: objectKey,
      object,
      sequencer: context.notifications.nextSequencer(base.time),
    });
  if (operation === 'DeleteObjects') {
    const failed = new Set(
      elements(parseXml(bodies.answer, 'DeleteResult'), 'Error').map((error) => text(error, 'Key')),
    );
    for (const object of elements(parseXml(bodies.request, 'Delete'), 'Object')) {
      const deletedKey = text(object, 'Key');
      if (deletedKey && !failed.has(deletedKey)) await publish('ObjectRemoved:Delete', deletedKey);
    }
    return;
  }
  if (key === undefined) return;
  if (operation === 'ObjectRemoved:Delete') return publish(operation, key);
  // S3 may answer CompleteMultipartUpload with 200 and an <Error> body.
  if (
    operation === 'ObjectCreated:CompleteMultipartUpload' &&
    !bodies.answer.includes('<CompleteMultipartUploadResult')
  )
    return;
  const head = await upstreamCall(context.upstream, 'HEAD', objectPath(base.bucket, key));
  const size = Number(header(head.headers, 'content-length') ?? 0);
  const eTag = (header(head.headers, 'etag') ?? '').replace(/"/g, '');
  return publish(operation, key, { size, eTag });
}

/** response-* query parameters override headers of a successful GET/HEAD, as on S3. */
function responseOverrides(method: string, status: number, target: S3Target): Record<string, string> {
  if ((method !== 'GET' && method !== 'HEAD') || status >= 300) return {};
  const overrides: Record<string, string> = {};
  for (const name of RESPONSE_OVERRIDES) {
    const value = param(target.query, `response-${name}`);
    if (value !== undefined) overrides[name] = value;
  }
  return overrides;
}

function send(response: ServerResponse, status: number, headers: OutgoingHttpHeaders, body?: string): void {
  response.writeHead(status, {
    ...headers,
    ...(body === undefined
      ? { 'content-length': 0 }
      : { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }),
  });
  response.end(body);
}

function sendError(
  request: IncomingMessage,
  response: ServerResponse,
  error: unknown,
  cors: Record<string, string>,
  requestId: string,
): void {
  // Drain what the client still sends, so it reads our answer instead of a reset connection.
  request.unpipe();
  request.resume();
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const s3Error =
    error instanceof S3Error
      ? error
      : new S3Error(
          500,
          'InternalError',
          `S3 fidelity layer: ${error instanceof Error ? error.message : String(error)}`,
        );
  const headers = { ...cors, 'x-amz-request-id': requestId, 'x-amz-id-2': requestId };
  if (request.method === 'HEAD') send(response, s3Error.status, headers);
  else send(response, s3Error.status, headers, errorXml(s3Error, requestId));
}
