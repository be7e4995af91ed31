import { createHash, randomBytes } from 'node:crypto';
import { Entity, type EntityItem } from 'electrodb';
import {
  createdAtAttribute,
  epochSeconds,
  isConditionalCheckFailed,
  ID_PATTERN,
  ISO_DATE_PATTERN,
  tenantIdAttribute,
  updatedAtAttribute,
} from './shared';
import type { Db } from '.';

/** pending -> processing -> ready | rejected; any of them -> deleted. */
export const FILE_STATES = ['pending', 'processing', 'ready', 'rejected', 'deleted'] as const;
export type FileState = (typeof FILE_STATES)[number];

const NEXT_STATES: Record<FileState, readonly FileState[]> = {
  pending: ['processing', 'rejected', 'deleted'],
  // A crashed processor leaves `processing`; the redelivered message may take it again.
  processing: ['processing', 'ready', 'rejected', 'deleted'],
  ready: ['deleted'],
  rejected: ['deleted'],
  deleted: [],
};

/** The states a file may move to `next` from: the condition of every state change, so none regresses. */
export const statesBefore = (next: FileState): FileState[] =>
  FILE_STATES.filter((state) => NEXT_STATES[state].includes(next));

/** Expiring items spread over this many partitions per hour, so a busy hour never makes one hot partition. */
export const EXPIRY_SHARDS = 16;

/** `2026-11-25T09` and a shard from the file id: the scheduler queries each (hour, shard) with one Query. */
export const expiryBucket = (expiresAt: string) => expiresAt.slice(0, 13);
export const expiryShard = (fileId: string) =>
  createHash('sha256').update(fileId).digest()[0]! % EXPIRY_SHARDS;
export const expiryPartition = (expiresAt: string, fileId: string) =>
  `${expiryBucket(expiresAt)}#${expiryShard(fileId)}`;

/**
 * expiresAt and its expiry-index partition, which every write of expiresAt (a file's, a project's) carries
 * together: an update's setters never see the key's id, which the shard needs.
 */
export const expiryFields = (id: string, expiresAt: string) => ({
  expiresAt,
  expiryPartition: expiryPartition(expiresAt, id),
});

/**
 * A guest's file that no long-term upload link made goes with the guest's session (unless a project or order
 * references it); every other file is kept once uploaded, until its owner or an erasure deletes it.
 */
export const expiresWithSession = (file: { owner: string; longTerm?: boolean }) =>
  file.owner.startsWith('session#') && file.longTerm !== true;

/** A new file's id: 128 random bits, base64url. Issued before the item is written when the key is needed first. */
export const newFileId = () => randomBytes(16).toString('base64url');

export const OWNER_PATTERN = /^(session|user)#[\x21\x22\x24-\x7e]{1,128}$/;
/** The stored objects of a file: the upload and the variants the processor writes next to it. */
export const FILE_OBJECTS = ['original', 'thumbnail', 'preview'] as const;
export type FileObject = (typeof FILE_OBJECTS)[number];

/** Built from ids only, never from the user's file name; only `original` keys notify the processor. */
export const fileObjectKey = (
  file: { tenantId: string; owner: string; fileId: string },
  object: FileObject,
) => `t/${file.tenantId}/o/${file.owner}/f/${file.fileId}/${object}`;

/**
 * Every object key a file may have, from its stored `objectKey` (the original; the variants live next to it).
 * Stored, never recomputed from the owner: a file claimed by a user keeps the keys it was uploaded under.
 */
export const storedFileObjectKeys = (file: { objectKey?: string }) =>
  file.objectKey === undefined
    ? []
    : FILE_OBJECTS.map((object) => file.objectKey!.replace(/original$/, object));

const ORIGINAL_KEY_PATTERN = /^t\/([^/]+)\/o\/([^/]+)\/f\/([^/]+)\/original$/;

/** The file an uploaded object key belongs to, or undefined for any other key. */
export function fileOfObjectKey(
  key: string,
): { tenantId: string; owner: string; fileId: string } | undefined {
  const match = ORIGINAL_KEY_PATTERN.exec(key);
  if (!match) return undefined;
  const [, tenantId, owner, fileId] = match as unknown as [string, string, string, string];
  return { tenantId, owner, fileId };
}

/** Base64 of 32 bytes, as S3's x-amz-checksum-sha256 takes it. */
export const SHA256_BASE64_PATTERN = /^[A-Za-z0-9+/]{43}=$/;

const variant = {
  type: 'map',
  properties: {
    key: { type: 'string', required: true },
    contentType: { type: 'string', required: true },
    width: { type: 'number', required: true },
    height: { type: 'number', required: true },
    size: { type: 'number', required: true },
  },
} as const;

/** An uploaded photo: what the client declared, what the processor measured, and what may delete it. */
export const File = new Entity({
  model: { entity: 'file', service: 'pixelvault', version: '1' },
  attributes: {
    tenantId: tenantIdAttribute,
    fileId: {
      type: 'string',
      required: true,
      readOnly: true,
      validate: ID_PATTERN,
      default: newFileId,
    },
    // Changes only when a user claims a guest's session (the scheduler's ownership transfer); objectKey stays.
    owner: { type: 'string', required: true, validate: OWNER_PATTERN },
    // Never part of a key: storage keys are built from ids only.
    name: { type: 'string', required: true, readOnly: true },
    contentType: { type: 'string', required: true, readOnly: true },
    size: { type: 'number', required: true, readOnly: true },
    sha256: { type: 'string', required: true, readOnly: true, validate: SHA256_BASE64_PATTERN },
    // Set once, on create; an ownership transfer keeps it (the objects stay where they were uploaded).
    objectKey: {
      type: 'string',
      readOnly: true,
      watch: ['tenantId', 'owner', 'fileId'],
      set: (key, { tenantId, owner, fileId }) =>
        key ?? (fileId === undefined ? undefined : fileObjectKey({ tenantId, owner, fileId }, 'original')),
    },
    // Upload-link tokens read only what they uploaded: the link token's jti.
    uploadLinkId: { type: 'string', readOnly: true },
    // Above the multipart threshold: the S3 upload that POST /complete finishes.
    multipart: {
      type: 'map',
      readOnly: true,
      properties: {
        uploadId: { type: 'string', required: true },
        partSize: { type: 'number', required: true },
        partCount: { type: 'number', required: true },
      },
    },
    state: { type: FILE_STATES, required: true, default: 'pending' },
    // While `processing`: until when the processor that claimed the file owns it (a crashed one's lease lapses).
    processingLeaseUntil: { type: 'string', validate: ISO_DATE_PATTERN },
    measuredSize: { type: 'number' },
    detectedType: { type: 'string' },
    width: { type: 'number' },
    height: { type: 'number' },
    format: { type: 'string' },
    variants: { type: 'map', properties: { thumbnail: variant, preview: variant } },
    rejection: {
      type: 'map',
      properties: { reason: { type: 'string', required: true }, detail: { type: 'string' } },
    },
    // Projects that use the file, and orders that pin it: either above zero and it is never deleted.
    refCount: { type: 'number', required: true, default: 0 },
    pinCount: { type: 'number', required: true, default: 0 },
    longTerm: { type: 'boolean', required: true, default: false },
    expiresAt: { type: 'string', validate: ISO_DATE_PATTERN },
    // `<hour>#<shard>` while the file has an expiresAt, absent otherwise: the expiry index is sparse. Derived on
    // create; an update passes it with expiresAt (expiryFields), since its setters never see the key's fileId.
    expiryPartition: {
      type: 'string',
      hidden: true,
      watch: ['expiresAt', 'fileId'],
      set: (partition, { expiresAt, fileId }) =>
        partition ?? (expiresAt === undefined ? undefined : expiryPartition(expiresAt, fileId)),
    },
    // Epoch seconds when DynamoDB may drop the item: set on deletion, so tombstones go away.
    ttl: { type: 'number' },
    createdAt: createdAtAttribute,
    updatedAt: updatedAtAttribute,
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'fileId'], casing: 'none' },
      sk: { field: 'sk', composite: [] },
    },
    // Files of an owner, newest first (the same gsi1 partition as the owner's sessions and projects).
    byOwner: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'owner'], casing: 'none' },
      sk: { field: 'gsi1sk', composite: ['createdAt'] },
    },
    // What expires in an hour, across tenants, for the scheduler; only files with an expiresAt are in it.
    byExpiry: {
      index: 'expiry',
      pk: { field: 'gsi3pk', composite: ['expiryPartition'], casing: 'none' },
      sk: { field: 'gsi3sk', composite: ['expiresAt'] },
    },
  },
});

export type FileItem = EntityItem<typeof File>;

/**
 * Moves a file to `next` only from a state that may precede it, setting `changes` with it; false when the file
 * is gone or already elsewhere (a duplicate or late message), so processing stays idempotent. `clearExpiry`
 * takes it out of the expiry index (a file that is kept once uploaded).
 */
export async function transitionFile(
  db: Db,
  key: { tenantId: string; fileId: string },
  next: FileState,
  changes: Partial<
    Pick<FileItem, 'measuredSize' | 'detectedType' | 'width' | 'height' | 'format' | 'variants' | 'rejection'>
  > = {},
  { clearExpiry = false }: { clearExpiry?: boolean } = {},
): Promise<boolean> {
  try {
    await db.entities.file
      .patch(key)
      .set({ ...changes, state: next })
      .remove([
        ...(next === 'processing' ? [] : (['processingLeaseUntil'] as const)),
        ...(clearExpiry ? (['expiresAt', 'expiryPartition'] as const) : []),
      ])
      .where(({ state }, { eq }) =>
        statesBefore(next)
          .map((from) => eq(state, from))
          .join(' OR '),
      )
      .go();
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/**
 * Takes a file for processing: from `pending`, or from `processing` whose lease has lapsed (its processor
 * crashed). Undefined when another processor holds it, it is finished or gone, or `objectKey` is not its key,
 * so a duplicate notification never processes a file twice. One conditional write, no read; `claimedFrom` is
 * the state it left.
 */
export async function claimFileForProcessing(
  db: Db,
  key: { tenantId: string; fileId: string },
  { objectKey, now, leaseMs }: { objectKey: string; now: Date; leaseMs: number },
): Promise<(FileItem & { claimedFrom: FileState }) | undefined> {
  const processingLeaseUntil = new Date(now.getTime() + leaseMs).toISOString();
  try {
    const { data } = await db.entities.file
      .patch(key)
      .set({ state: 'processing', processingLeaseUntil })
      .where(
        (attr, { eq, lt }) =>
          `${eq(attr.objectKey, objectKey)} AND (${eq(attr.state, 'pending')} OR (${eq(attr.state, 'processing')} AND ${lt(attr.processingLeaseUntil, now.toISOString())}))`,
      )
      .go({ response: 'all_old' });
    const before = data as FileItem;
    return { ...before, state: 'processing', processingLeaseUntil, claimedFrom: before.state };
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}

/** How long a deleted file's tombstone stays readable (for the scheduler and late messages) before its TTL. */
export const DELETED_FILE_TTL_SECONDS = 7 * 24 * 60 * 60;

/** A deletion: the file as it was before, or why nothing changed. */
export type FileDeletion = { deleted: FileItem } | { refused: 'not_found' | 'pinned' | 'in_use' };

// A write that failed only because another one changed the file meanwhile is tried again, this often.
const DELETE_ATTEMPTS = 3;

/**
 * Marks the owner's file `deleted` in one conditional write, only while no order pins it (pinCount) and no
 * project uses it (refCount). It leaves the expiry index (nothing left to expire) and gets a `ttl`, so the
 * tombstone goes away. When the condition fails, one read tells why: gone, deleted or another owner's
 * (`not_found`), `pinned` or `in_use`.
 */
export async function markFileDeleted(
  db: Db,
  key: { tenantId: string; fileId: string },
  { owner, now }: { owner: string; now: Date },
): Promise<FileDeletion> {
  const ttl = epochSeconds(now.toISOString()) + DELETED_FILE_TTL_SECONDS;
  for (let attempt = 1; ; attempt++) {
    try {
      const { data } = await db.entities.file
        .patch(key)
        .set({ state: 'deleted', ttl })
        .remove(['expiresAt', 'expiryPartition', 'processingLeaseUntil'])
        .where(
          (attr, { eq }) =>
            `${eq(attr.owner, owner)} AND ${eq(attr.pinCount, 0)} AND ${eq(attr.refCount, 0)} AND (${statesBefore(
              'deleted',
            )
              .map((from) => eq(attr.state, from))
              .join(' OR ')})`,
        )
        .go({ response: 'all_old' });
      return { deleted: data as FileItem };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const { data: file } = await db.entities.file.get(key).go();
    if (!file || file.owner !== owner || file.state === 'deleted') return { refused: 'not_found' };
    if (file.pinCount > 0) return { refused: 'pinned' };
    if (file.refCount > 0) return { refused: 'in_use' };
    if (attempt === DELETE_ATTEMPTS) throw new Error(`file ${key.fileId} kept changing while it was deleted`);
  }
}
