import {
  ApiError,
  expiresWithSession,
  badRequest,
  fileObjectKey,
  newFileId,
  parseBody,
  payloadTooLarge,
  SHA256_BASE64_PATTERN,
  type Caller,
  type FileItem,
  type Owner,
} from '@pixelvault/core';
import { z } from 'zod';
import { publicFile, type PublicFile } from './file-view';
import { ALLOWED_CONTENT_TYPES, type UploadLimits } from './limits';
import type { AllowedContentType } from './sniff';

/** A registration nobody uploads to is cleaned up after this long. */
export const PENDING_TTL_MS = 24 * 3600 * 1000;

/** How long the presigned PUT URL stays valid. */
export const UPLOAD_URL_TTL_SECONDS = 15 * 60;

/** How long the presigned UploadPart URLs stay valid: a 200 MiB upload on a slow line needs more than 15 min. */
export const MULTIPART_URL_TTL_SECONDS = 60 * 60;

/** Above S3's 5 MiB minimum part; 200 MiB is 25 parts, S3's 10,000 parts allow 78 GiB. */
export const MULTIPART_PART_SIZE = 8 * 1024 * 1024;

export const MAX_BATCH_ITEMS = 100;

export const registerFileBody = z.object({
  name: z.string().min(1).max(255),
  contentType: z.enum(ALLOWED_CONTENT_TYPES as [AllowedContentType, ...AllowedContentType[]]),
  // The upper bound is a 413, not a 400: the tenant's limit, checked once the body is well-formed.
  size: z.number().int().min(1),
  sha256: z
    .string()
    .regex(SHA256_BASE64_PATTERN, 'must be the base64 SHA-256 of the content (44 characters)'),
});

export type FileRegistration = z.infer<typeof registerFileBody>;

/** The envelope only: each item is checked on its own, so one bad item never fails its batch-mates. */
export const registerBatchBody = z.object({
  items: z.array(z.unknown()).min(1).max(MAX_BATCH_ITEMS),
});

/**
 * A registration the tenant accepts, or the error POST /v1/files answers: 400 naming the field, 413 for a
 * declared size over the tenant's limit. Nothing is written and no URL issued before this passes.
 */
export function checkRegistration(input: unknown, limits: UploadLimits): FileRegistration {
  const registration = parseBody(registerFileBody, input);
  if (!limits.contentTypes.includes(registration.contentType)) {
    const reason = `must be one of ${limits.contentTypes.join(', ')} (this shop's upload types)`;
    throw badRequest(`Invalid request body: contentType: ${reason}`, [{ field: 'contentType', reason }]);
  }
  if (registration.size > limits.maxUploadBytes) {
    throw payloadTooLarge(`A file may have at most ${limits.maxUploadBytes} bytes`, [
      { field: 'size', reason: `must be at most ${limits.maxUploadBytes} bytes` },
    ]);
  }
  return registration;
}

export interface MultipartPlan {
  partSize: number;
  partCount: number;
}

/** Undefined up to the threshold (one presigned PUT); above it, the parts of a multipart upload. */
export function multipartPlan(size: number, thresholdBytes: number): MultipartPlan | undefined {
  if (size <= thresholdBytes) return undefined;
  return { partSize: MULTIPART_PART_SIZE, partCount: Math.ceil(size / MULTIPART_PART_SIZE) };
}

/** Bytes of part `partNumber` (1-based): every part is partSize, the last one takes the rest. */
export const partLength = (size: number, plan: MultipartPlan, partNumber: number) =>
  partNumber < plan.partCount ? plan.partSize : size - plan.partSize * (plan.partCount - 1);

export const pendingExpiry = (now: Date) => new Date(now.getTime() + PENDING_TTL_MS).toISOString();

/** A guest session's lifetime: the bound on a guest's file registered through an upload link. */
export const GUEST_SESSION_MS = 6 * 3600 * 1000;

/**
 * A new file's expiresAt: 24 h for the upload, and a guest's file that is not long-term no later than its session
 * ends (the processor keeps that expiry when the file is ready; it clears it for every other file).
 */
export function registrationExpiry(registrant: Registrant, now: Date): string {
  const pending = pendingExpiry(now);
  const sessionEnd = registrant.sessionEndsAt;
  return sessionEnd !== undefined && sessionEnd < pending ? sessionEnd : pending;
}

export interface PutUpload {
  method: 'PUT';
  url: string;
  /** Exactly what the client must send with the body, or the signature (or checksum) fails. */
  headers: Record<string, string>;
  expiresAt: string;
}

export interface MultipartUpload {
  method: 'MULTIPART';
  partSize: number;
  /** PUT each part's bytes (exactly partSize, the last one the rest) to its URL; keep each answer's ETag. */
  parts: { partNumber: number; url: string }[];
  expiresAt: string;
}

export type UploadInstructions = PutUpload | MultipartUpload;

/** Who registers: the file's owner and how its uploads are kept and scoped. */
export interface Registrant {
  tenantId: string;
  owner: Owner;
  /** A phone upload through a long-term link outlives the guest session that made the link. */
  longTerm: boolean;
  /** An upload-link token's jti: the link sees only the files it registered. */
  uploadLinkId?: string;
  /**
   * A guest's file that is not long-term ends with the session: a guest token's own expiry, or for an upload
   * link (whose session's end it does not carry) at most a session's lifetime after the link's.
   */
  sessionEndsAt?: string;
}

export function registrantOf(caller: Caller, owner: Owner): Registrant {
  const isLink = caller.kind === 'upload';
  const longTerm = isLink && caller.longTerm === true;
  const tokenExpiry = caller.exp * 1000;
  const sessionEnd = expiresWithSession({ owner, longTerm })
    ? new Date(caller.kind === 'guest' ? tokenExpiry : tokenExpiry + GUEST_SESSION_MS).toISOString()
    : undefined;
  return {
    tenantId: caller.tenantId,
    owner,
    longTerm,
    ...(isLink ? { uploadLinkId: caller.jti } : {}),
    ...(sessionEnd === undefined ? {} : { sessionEndsAt: sessionEnd }),
  };
}

/** A pending File item as registration writes it. */
export type NewFile = FileRegistration &
  Registrant & {
    fileId: string;
    expiresAt: string;
    multipart?: MultipartPlan & { uploadId: string };
  };

/** What registration needs from storage and the table (the AWS adapters implement it). */
export interface RegistrationPorts {
  /** CreateMultipartUpload; the upload id. */
  startMultipart(object: { key: string; contentType: string }): Promise<string>;
  /** Writes the files; each stored item, or in its place the fault that kept it from the table. */
  createFiles(files: readonly NewFile[]): Promise<(FileItem | Error)[]>;
  presignPut(file: FileItem, now: Date): Promise<PutUpload>;
  presignParts(file: FileItem, now: Date): Promise<MultipartUpload>;
}

export interface RegistrationSettings {
  limits: UploadLimits;
  multipartThresholdBytes: number;
  now: Date;
}

export type RegistrationResult =
  | { file: PublicFile; upload: UploadInstructions }
  /** `cause`: the fault behind a 503 (storage or table trouble), for the log or to rethrow. */
  | { error: ApiError; cause?: unknown };

type Failed = Extract<RegistrationResult, { error: ApiError }>;

const unavailable = (cause: unknown): Failed => ({
  error: new ApiError(503, 'unavailable', 'The file could not be registered just now; register it again'),
  cause,
});

function checked(input: unknown, limits: UploadLimits): FileRegistration | Failed {
  try {
    return checkRegistration(input, limits);
  } catch (error) {
    if (error instanceof ApiError) return { error };
    throw error;
  }
}

/** The item to write, with its multipart upload started when the size calls for one. */
async function prepared(
  registration: FileRegistration,
  registrant: Registrant,
  { multipartThresholdBytes, now }: RegistrationSettings,
  ports: RegistrationPorts,
): Promise<NewFile | Failed> {
  const fileId = newFileId();
  const plan = multipartPlan(registration.size, multipartThresholdBytes);
  try {
    const multipart = plan && {
      ...plan,
      uploadId: await ports.startMultipart({
        key: fileObjectKey({ ...registrant, fileId }, 'original'),
        contentType: registration.contentType,
      }),
    };
    const { sessionEndsAt: _sessionEnd, ...kept } = registrant;
    return {
      ...registration,
      ...kept,
      fileId,
      expiresAt: registrationExpiry(registrant, now),
      ...(multipart === undefined ? {} : { multipart }),
    };
  } catch (error) {
    return unavailable(error);
  }
}

async function presigned(file: FileItem, now: Date, ports: RegistrationPorts): Promise<RegistrationResult> {
  try {
    const upload = file.multipart ? await ports.presignParts(file, now) : await ports.presignPut(file, now);
    return { file: publicFile(file), upload };
  } catch (error) {
    return unavailable(error);
  }
}

const isFailed = (value: object): value is Failed => 'error' in value;

/**
 * Registers each input (POST /v1/files: one; /batch: up to 100) as a `pending` File and presigns its upload, in
 * input order. Each item stands alone: an invalid one gets the error the single route would answer, one that
 * storage or the table fails gets a 503 `unavailable`, and the others are registered anyway. Nothing is written
 * and no URL issued for an item before it passed the tenant's limits. (A multipart upload started for an item
 * whose write then failed is aborted by the bucket's lifecycle rule after a day.)
 */
export async function registerFiles(
  inputs: readonly unknown[],
  registrant: Registrant,
  settings: RegistrationSettings,
  ports: RegistrationPorts,
): Promise<RegistrationResult[]> {
  const steps = await Promise.all(
    inputs.map((input) => {
      const registration = checked(input, settings.limits);
      return isFailed(registration) ? registration : prepared(registration, registrant, settings, ports);
    }),
  );
  const toWrite = steps.filter((step): step is NewFile => !isFailed(step));
  const written = new Map(
    (await ports.createFiles(toWrite)).map((stored, index) => [toWrite[index]!.fileId, stored]),
  );
  return Promise.all(
    steps.map((step) => {
      if (isFailed(step)) return step;
      const stored = written.get(step.fileId)!;
      return stored instanceof Error ? unavailable(stored) : presigned(stored, settings.now, ports);
    }),
  );
}
