import { createHash } from 'node:crypto';
import { fileStateChanged, type FileItem, type FileState, type FileStateChanged } from '@pixelvault/core';
import { DEFAULT_LIMITS, type UploadLimits } from './limits';
import { processImage, type ImageVariant, type VariantName } from './process-image';
import type { UploadNotice } from './upload-notice';

/** A file claimed for processing, with the state it was claimed from. */
export type ClaimedFile = FileItem & { claimedFrom: FileState };

/** The stored original, opened but not yet read. */
export interface OpenedOriginal {
  contentLength: number;
  body: AsyncIterable<Uint8Array>;
  /** Stops the download when the original is not needed after all. */
  discard(): void;
}

export type StoredVariants = NonNullable<FileItem['variants']>;

/** What processing needs from storage, the table and the event queue (the AWS adapters implement it). */
export interface ProcessingPorts {
  /** Undefined when no object is stored under the key. */
  openOriginal(notice: UploadNotice): Promise<OpenedOriginal | undefined>;
  claim(notice: UploadNotice, now: Date): Promise<ClaimedFile | undefined>;
  storeVariants(file: FileItem, variants: Record<VariantName, ImageVariant>): Promise<StoredVariants>;
  removeVariants(variants: StoredVariants): Promise<void>;
  /** False when the file left `processing` meanwhile (deleted while it was processed). */
  finish(file: FileItem, next: 'ready' | 'rejected', changes: FinishedChanges): Promise<boolean>;
  /** Lets the next delivery claim the file at once after a failure (best effort: the lease lapses anyway). */
  release(file: FileItem): Promise<void>;
  publish(events: FileStateChanged[]): Promise<void>;
  /** The tenant's limits now (they may have changed since registration). */
  uploadLimits(tenantId: string): Promise<UploadLimits>;
}

export type FinishedChanges = Partial<
  Pick<FileItem, 'measuredSize' | 'detectedType' | 'width' | 'height' | 'format' | 'variants' | 'rejection'>
>;

/**
 * - `missing`: no object under the key (a hint ahead of its upload): the file stays `pending`.
 * - `skipped`: another delivery has it or finished it (duplicate notification).
 */
export type ProcessingOutcome = 'ready' | 'rejected' | 'skipped' | 'missing';

/**
 * Reads the whole original while hashing it; undefined past `maxBytes` (the download stops there). Each chunk is
 * copied into one buffer of `maxBytes` as it arrives, so an original takes its size in memory once, not twice
 * (the chunks, then their concatenation): a 2 GB processor renders two originals of up to 200 MiB at a time.
 */
async function readHashed(body: AsyncIterable<Uint8Array>, maxBytes: number) {
  const hash = createHash('sha256');
  const bytes = Buffer.allocUnsafe(maxBytes);
  let total = 0;
  for await (const chunk of body) {
    if (total + chunk.byteLength > maxBytes) return undefined;
    hash.update(chunk);
    bytes.set(chunk, total);
    total += chunk.byteLength;
  }
  return { bytes: bytes.subarray(0, total), sha256: hash.digest('base64') };
}

/** Checks the stored bytes against the declaration, then renders the variants (or says why not). */
async function examine(file: FileItem, original: OpenedOriginal, limits: UploadLimits) {
  const measuredSize = original.contentLength;
  // The tenant's limits, before a byte is read: cheap, and they may have narrowed since registration.
  if (measuredSize > limits.maxUploadBytes) {
    original.discard();
    const detail = `stored ${measuredSize} bytes, this shop takes at most ${limits.maxUploadBytes}`;
    return { ok: false as const, measuredSize, reason: 'too_large', detail };
  }
  if (!limits.contentTypes.some((type) => type === file.contentType)) {
    original.discard();
    const detail = `${file.contentType} is not one of this shop's upload types`;
    return { ok: false as const, measuredSize, reason: 'unsupported_type', detail };
  }
  if (measuredSize !== file.size) {
    original.discard();
    const detail = `stored ${measuredSize} bytes, declared ${file.size}`;
    return { ok: false as const, measuredSize, reason: 'size_mismatch', detail };
  }
  const read = await readHashed(original.body, file.size);
  if (read === undefined || read.bytes.byteLength !== file.size) {
    return { ok: false as const, measuredSize, reason: 'size_mismatch', detail: 'stored bytes changed size' };
  }
  if (read.sha256 !== file.sha256) {
    const detail = `stored SHA-256 ${read.sha256}, declared ${file.sha256}`;
    return { ok: false as const, measuredSize, reason: 'checksum_mismatch', detail };
  }
  const image = await processImage(read.bytes, {
    declaredContentType: file.contentType,
    limits: { ...DEFAULT_LIMITS, maxBytes: limits.maxUploadBytes },
  });
  return { ...image, measuredSize };
}

/**
 * Turns one uploaded original into a `ready` file with variants, or a `rejected` one with a machine-readable
 * reason. Idempotent per file: the claim lets exactly one delivery through, and a file deleted meanwhile keeps
 * no variants. Problems of the file end as `rejected`; anything that throws is worth a retry.
 */
export async function processUpload(
  notice: UploadNotice,
  ports: ProcessingPorts,
  now = () => new Date(),
): Promise<ProcessingOutcome> {
  const original = await ports.openOriginal(notice);
  if (original === undefined) return 'missing';
  const file = await ports.claim(notice, now());
  if (file === undefined) {
    original.discard();
    return 'skipped';
  }
  const events = [fileStateChanged(file, { from: file.claimedFrom, to: 'processing', at: now() })];
  try {
    const result = await examine(file, original, await ports.uploadLimits(file.tenantId));
    if (!result.ok) {
      const rejection = { reason: result.reason, detail: result.detail };
      const finished = await ports.finish(file, 'rejected', { measuredSize: result.measuredSize, rejection });
      if (finished)
        events.push(
          fileStateChanged(file, { from: 'processing', to: 'rejected', at: now(), reason: result.reason }),
        );
      await ports.publish(events);
      return finished ? 'rejected' : 'skipped';
    }
    const variants = await ports.storeVariants(file, result.variants);
    const finished = await ports.finish(file, 'ready', {
      measuredSize: result.measuredSize,
      detectedType: result.detectedType,
      width: result.width,
      height: result.height,
      format: result.format,
      variants,
    });
    if (finished) {
      events.push(fileStateChanged(file, { from: 'processing', to: 'ready', at: now() }));
    } else {
      await ports.removeVariants(variants);
    }
    await ports.publish(events);
    return finished ? 'ready' : 'skipped';
  } catch (error) {
    await ports.release(file).catch(() => undefined);
    throw error;
  }
}
