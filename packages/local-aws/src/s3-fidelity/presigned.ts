import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { header, param, type QueryParams } from './request';
import { S3Error } from './xml';

export interface SigningIdentity {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  now: Date;
}

export interface PresignedRequest {
  method: string;
  /** Raw path as received: S3 signs it without re-encoding. */
  path: string;
  query: QueryParams;
  headers: IncomingHttpHeaders;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_EXPIRES_SECONDS = 7 * 24 * 60 * 60;
/** Real S3 tolerates this much clock skew for a URL dated in the future. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const AUTH_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
  'X-Amz-Content-Sha256',
];
const AUTH_PARAMS_LOWER = new Set(AUTH_PARAMS.map((name) => name.toLowerCase()));

export const isPresigned = (query: QueryParams): boolean =>
  query['X-Amz-Algorithm'] !== undefined || query['X-Amz-Signature'] !== undefined;

const queryAuthError = (message: string): S3Error =>
  new S3Error(400, 'AuthorizationQueryParametersError', message);

function singleParam(query: QueryParams, name: string): string {
  const value = query[name];
  if (typeof value !== 'string') {
    throw queryAuthError(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  return value;
}

function parseAmzDate(value: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  const date = match
    ? new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`)
    : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw queryAuthError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  }
  return date;
}

/**
 * Verifies a SigV4 query-string signature like S3: rebuild the request as received, presign it again with the
 * same date and expiry, compare in constant time. Returns the signer's access key id.
 */
export async function verifyPresigned(request: PresignedRequest, identity: SigningIdentity): Promise<string> {
  const { query } = request;
  if (singleParam(query, 'X-Amz-Algorithm') !== ALGORITHM) {
    throw queryAuthError(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
  }
  const credential = singleParam(query, 'X-Amz-Credential');
  const signingDate = parseAmzDate(singleParam(query, 'X-Amz-Date'));
  const expires = singleParam(query, 'X-Amz-Expires');
  const signedHeaders = singleParam(query, 'X-Amz-SignedHeaders').split(';');
  const signature = singleParam(query, 'X-Amz-Signature');

  const [accessKeyId, scopeDate, region, service, terminator, ...rest] = credential.split('/');
  if (!accessKeyId || !scopeDate || terminator !== 'aws4_request' || rest.length > 0) {
    throw queryAuthError(
      `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
    );
  }
  if (accessKeyId !== identity.credentials.accessKeyId) {
    throw new S3Error(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  }
  if (region !== identity.region) {
    throw queryAuthError(
      `Error parsing the X-Amz-Credential parameter; the region '${region}' is wrong; expecting '${identity.region}'`,
    );
  }
  if (service !== 's3') {
    throw queryAuthError(
      `Error parsing the X-Amz-Credential parameter; incorrect service "${service}". This endpoint belongs to "s3".`,
    );
  }
  if (!/^\d+$/.test(expires) || Number(expires) > MAX_EXPIRES_SECONDS) {
    throw queryAuthError(
      `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES_SECONDS}`,
    );
  }
  const now = identity.now.getTime();
  if (signingDate.getTime() - MAX_CLOCK_SKEW_MS > now) {
    throw new S3Error(403, 'AccessDenied', 'Request is not valid yet');
  }
  if (signingDate.getTime() + Number(expires) * 1000 < now) {
    throw new S3Error(403, 'AccessDenied', 'Request has expired');
  }

  // Otherwise an unsigned x-amz-checksum-sha256 or x-amz-meta-* header could override what the URL signs.
  if (
    Object.keys(request.headers).some((name) => name.startsWith('x-amz-') && !signedHeaders.includes(name))
  ) {
    throw new S3Error(403, 'AccessDenied', 'There were headers present in the request which were not signed');
  }
  const expected = await presignAgain(request, signedHeaders, {
    ...identity,
    signingDate,
    expiresIn: Number(expires),
  });
  const provided = Buffer.from(signature);
  const calculated = Buffer.from(expected);
  if (provided.length !== calculated.length || !timingSafeEqual(provided, calculated)) {
    throw new S3Error(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
  return accessKeyId;
}

async function presignAgain(
  request: PresignedRequest,
  signedHeaders: string[],
  signing: SigningIdentity & { signingDate: Date; expiresIn: number },
): Promise<string> {
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = header(request.headers, name);
    if (value !== undefined) headers[name] = value;
  }
  // Query auth always signs the payload as the X-Amz-Content-Sha256 parameter says (UNSIGNED-PAYLOAD by default);
  // the signer reads it from this header, which must itself stay out of the signed and hoisted sets.
  const payloadHeader = signedHeaders.includes('x-amz-content-sha256') ? undefined : 'x-amz-content-sha256';
  if (payloadHeader)
    headers[payloadHeader] = param(request.query, 'X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD';

  const query = { ...request.query };
  delete query['X-Amz-Signature'];
  const signer = new SignatureV4({
    service: 's3',
    region: signing.region,
    credentials: signing.credentials,
    sha256: Hash.bind(null, 'sha256'),
    // Mirrors S3RequestPresigner: S3 signs the path exactly as sent, without normalizing or double-encoding it.
    uriEscapePath: false,
    applyChecksum: false,
  });
  const presigned = await signer.presign(
    new HttpRequest({
      method: request.method,
      protocol: 'http:',
      hostname: 'unused',
      path: request.path,
      query,
      headers,
    }),
    {
      signingDate: signing.signingDate,
      expiresIn: signing.expiresIn,
      signableHeaders: new Set(signedHeaders),
      unsignableHeaders: new Set(payloadHeader ? [payloadHeader] : []),
      // Hoisted headers are already in the query as received; nothing may move again.
      unhoistableHeaders: new Set(Object.keys(headers)),
    },
  );
  return String(presigned.query?.['X-Amz-Signature']);
}

/** `x-amz-*` parameters a presigner hoisted into the query (metadata, checksums, ...), which S3 treats as headers. */
export function hoistedHeaders(query: QueryParams): Record<string, string> {
  const hoisted: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-') && !AUTH_PARAMS_LOWER.has(lower))
      hoisted[lower] = Array.isArray(value) ? value.join(',') : value;
  }
  return hoisted;
}
