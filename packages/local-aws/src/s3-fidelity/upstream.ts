import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { S3Error } from './xml';

/** Hop-by-hop headers describe one connection; Node frames the upstream and downstream legs itself. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'expect',
  'te',
  'trailer',
];

export function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const copy: OutgoingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

export function upstreamRequest(
  upstream: URL,
  method: string,
  path: string,
  headers: OutgoingHttpHeaders = {},
): http.ClientRequest {
  return http.request({
    hostname: upstream.hostname,
    port: upstream.port,
    method,
    path,
    headers: { ...headers, host: upstream.host },
  });
}

export async function readBody(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    length += chunk.length;
    if (length > limit) throw new S3Error(400, 'MaxMessageLengthExceeded', 'Your request was too big.');
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** Sends a request with a small or already buffered body to the upstream and waits for its complete answer. */
export async function upstreamCall(
  upstream: URL,
  method: string,
  path: string,
  headers: OutgoingHttpHeaders = {},
  body: Buffer[] = [],
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  const length = body.reduce((total, chunk) => total + chunk.length, 0);
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = upstreamRequest(upstream, method, path, {
      ...headers,
      ...(length > 0 ? { 'content-length': length } : {}),
    });
    request.on('response', resolve).on('error', reject);
    for (const chunk of body) request.write(chunk);
    request.end();
  });
  const answer = await readBody(response, Number.POSITIVE_INFINITY);
  return { status: response.statusCode ?? 500, headers: response.headers, body: answer };
}

export const objectPath = (bucket: string, key: string): string =>
  `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;

export async function assertBucketExists(upstream: URL, bucket: string): Promise<void> {
  const { status } = await upstreamCall(upstream, 'HEAD', `/${encodeURIComponent(bucket)}`);
  if (status === 404) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');
  if (status >= 300) throw new S3Error(500, 'InternalError', `Upstream answered HEAD bucket with ${status}`);
}
