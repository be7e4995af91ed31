import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { digestVerifier, type ExpectedDigest } from './checksum';
import { header } from './request';
import { objectPath, upstreamCall } from './upstream';
import { buildXml, parseXml, S3Error, text } from './xml';

/** fauxqs's Fastify bodyLimit is 11 MiB; larger PutObject bodies go in parts, with a margin below that limit. */
export const SINGLE_PUT_LIMIT = 8 * 1024 * 1024;
/** S3's limit for a single PUT. */
export const MAX_PUT_SIZE = 5 * 1024 * 1024 * 1024;
/** Above S3's 5 MiB part minimum and below the fauxqs limit even with one socket chunk over; 5 GiB = 640 parts. */
const PART_SIZE = 8 * 1024 * 1024;
/** What a PutObject stores with the object; CreateMultipartUpload and CopyObject (REPLACE) take the same headers. */
const OBJECT_HEADERS = [
  'content-type',
  'content-disposition',
  'content-encoding',
  'content-language',
  'cache-control',
  'expires',
  'x-amz-acl',
  'x-amz-storage-class',
  'x-amz-tagging',
  'x-amz-website-redirect-location',
];
const OBJECT_HEADER_PREFIXES = ['x-amz-meta-', 'x-amz-server-side-encryption', 'x-amz-object-lock-'];

export interface LargePut {
  upstream: URL;
  bucket: string;
  key: string;
  /** Request headers merged with the presigned URL's hoisted ones. */
  headers: IncomingHttpHeaders;
  digests: ExpectedDigest[];
}

function objectHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {};
  for (const name of Object.keys(headers)) {
    if (OBJECT_HEADERS.includes(name) || OBJECT_HEADER_PREFIXES.some((prefix) => name.startsWith(prefix)))
      kept[name] = header(headers, name);
  }
  return kept;
}

/** An upstream call that must succeed; fauxqs's S3 error answers become ours. */
async function call(
  upstream: URL,
  method: string,
  path: string,
  headers: OutgoingHttpHeaders = {},
  body: Buffer[] = [],
) {
  const answer = await upstreamCall(upstream, method, path, headers, body);
  if (answer.status < 300) return answer;
  const xml = answer.body.toString('utf8');
  const error = xml.includes('<Error') ? parseXml(xml, 'Error') : {};
  throw new S3Error(
    answer.status,
    text(error, 'Code') ?? 'InternalError',
    text(error, 'Message') ?? `Upstream answered ${method} ${path} with ${answer.status}`,
  );
}

/**
 * Stores a PutObject body too large for one fauxqs request as a multipart upload, sending each part as soon as
 * it has streamed in (one part in memory), then copies the object onto itself: fauxqs then holds what a single PUT
 * stores (MD5 ETag, full-object checksum, no part count), so HEAD, GET and listings need no rewriting. A failed
 * digest or a client gone mid-body aborts the upload: nothing is stored. Returns the single-PUT ETag.
 */
export async function putInParts(put: LargePut, body: AsyncIterable<Buffer>): Promise<string> {
  const path = objectPath(put.bucket, put.key);
  const stored = objectHeaders(put.headers);
  const created = await call(put.upstream, 'POST', `${path}?uploads`, stored);
  const uploadId = text(parseXml(created.body.toString('utf8'), 'InitiateMultipartUploadResult'), 'UploadId');
  if (!uploadId) throw new S3Error(500, 'InternalError', 'Upstream CreateMultipartUpload gave no UploadId');
  const uploadPath = `${path}?uploadId=${encodeURIComponent(uploadId)}`;
  const md5 = createHash('md5');
  try {
    const verifier = digestVerifier(put.digests);
    const eTags: string[] = [];
    let part: Buffer[] = [];
    let partLength = 0;
    const sendPart = async () => {
      const answer = await call(
        put.upstream,
        'PUT',
        `${uploadPath}&partNumber=${eTags.length + 1}`,
        {},
        part,
      );
      eTags.push(header(answer.headers, 'etag') ?? '');
      part = [];
      partLength = 0;
    };
    for await (const chunk of body) {
      md5.update(chunk);
      verifier.update(chunk);
      part.push(chunk);
      partLength += chunk.length;
      if (partLength >= PART_SIZE) await sendPart();
    }
    if (partLength > 0) await sendPart();
    const mismatch = verifier.mismatch();
    if (mismatch) throw mismatch;
    const parts = eTags.map((eTag, index) => ({ PartNumber: index + 1, ETag: eTag }));
    await call(put.upstream, 'POST', uploadPath, {}, [
      Buffer.from(buildXml('CompleteMultipartUpload', { Part: parts })),
    ]);
  } catch (error) {
    await call(put.upstream, 'DELETE', uploadPath).catch(() => undefined);
    throw error;
  }
  const checksum = header(put.headers, 'x-amz-checksum-sha256');
  await call(put.upstream, 'PUT', path, {
    ...stored,
    ...(checksum ? { 'x-amz-checksum-sha256': checksum } : {}),
    'x-amz-copy-source': path,
    'x-amz-metadata-directive': 'REPLACE',
  });
  return `"${md5.digest('hex')}"`;
}
