import { randomBytes } from 'node:crypto';
import { Entity, type EntityItem } from 'electrodb';
import { OWNER_PATTERN } from './file';
import {
  createdAtAttribute,
  ID_PATTERN,
  ISO_DATE_PATTERN,
  tenantIdAttribute,
  updatedAtAttribute,
} from './shared';

/** Product types the editor designs (a photo book, a calendar, ...): a short lower-case slug. */
export const PRODUCT_TYPE_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

export const newProjectId = () => randomBytes(16).toString('base64url');

/** A project's objects live under this prefix of its owner (and its former owners' after a transfer). */
export const projectObjectPrefix = (project: { tenantId: string; owner: string; projectId: string }) =>
  `t/${project.tenantId}/o/${project.owner}/p/${project.projectId}/`;

/** Every prefix that may hold objects of the project: its owner's and each former owner's. */
export const projectObjectPrefixes = (project: {
  tenantId: string;
  owner: string;
  projectId: string;
  formerOwners?: string[];
}) =>
  [project.owner, ...(project.formerOwners ?? [])].map((owner) => projectObjectPrefix({ ...project, owner }));

/**
 * Where a document too large for the item lives: one object per saved version, with a random part, so two
 * writers racing for the same version never overwrite each other's bytes (only one of them wins the item).
 */
export const projectDocumentKey = (
  project: { tenantId: string; owner: string; projectId: string },
  version: number,
) => `${projectObjectPrefix(project)}document/${version}-${randomBytes(8).toString('hex')}.json`;

/** Whether `key` is one of the project's document objects (under any owner's prefix, as after a transfer). */
export const isProjectDocumentKey = (key: string, project: { tenantId: string; projectId: string }) => {
  const [t, tenantId, o, owner, p, projectId, folder, name, ...rest] = key.split('/');
  return (
    t === 't' &&
    tenantId === project.tenantId &&
    o === 'o' &&
    owner !== undefined &&
    owner !== '' &&
    p === 'p' &&
    projectId === project.projectId &&
    folder === 'document' &&
    name !== undefined &&
    name.endsWith('.json') &&
    rest.length === 0
  );
};

/**
 * A photo-book (calendar, print) design: the editor's document, inline below ~300 KB and in S3 (`documentKey`)
 * above, the ids of the files it uses (each counted in the file's `refCount`), and a version for optimistic
 * locking.
 */
export const Project = new Entity({
  model: { entity: 'project', service: 'pixelvault', version: '1' },
  attributes: {
    tenantId: tenantIdAttribute,
    projectId: {
      type: 'string',
      required: true,
      readOnly: true,
      validate: ID_PATTERN,
      default: newProjectId,
    },
    // Changes only when a user claims a guest's session (the scheduler's ownership transfer).
    owner: { type: 'string', required: true, validate: OWNER_PATTERN },
    // Owners before a transfer: the project's older documents stay under their prefixes until it is deleted.
    formerOwners: { type: 'list', items: { type: 'string' } },
    title: { type: 'string', required: true },
    product: {
      type: 'map',
      required: true,
      properties: { type: { type: 'string', required: true, validate: PRODUCT_TYPE_PATTERN } },
    },
    // Exactly one of the two: the serialized document (a string: no 32-level nesting limit, stored byte for
    // byte), or the key of its S3 object.
    documentJson: { type: 'string' },
    documentKey: { type: 'string' },
    // Serialized size of the document in bytes, either way.
    documentBytes: { type: 'number', required: true },
    // Distinct ids; the files' refCount counts this project once each. Stored on the item: a project's files
    // are one GetItem away.
    fileIds: {
      type: 'list',
      required: true,
      default: () => [],
      items: { type: 'string', validate: ID_PATTERN },
    },
    version: { type: 'number', required: true, default: 1 },
    // A change that takes more transactions than one (creating, copying or deleting more references than a
    // transaction holds) is under way: the project answers 404 until it ends; fileIds always match the counts.
    pending: { type: ['creating', 'deleting'] as const },
    createdAt: createdAtAttribute,
    updatedAt: updatedAtAttribute,
    // Tenant retention after the last save (guests 30 days, users 365 by default).
    expiresAt: { type: 'string', required: true, validate: ISO_DATE_PATTERN },
    // `<hour>#<shard>` of expiresAt: written with it through expiryFields (an update's setters never see
    // the key's projectId, which the shard needs).
    expiryPartition: { type: 'string', required: true, hidden: true },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'projectId'], casing: 'none' },
      sk: { field: 'sk', composite: [] },
    },
    // Projects of an owner, newest first: the gsi1 partition the owner's files and sessions share; ElectroDB's
    // entity prefix in gsi1sk keeps a Query to projects only.
    byOwner: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'owner'], casing: 'none' },
      sk: { field: 'gsi1sk', composite: ['createdAt'] },
    },
    // What expires in an hour, across tenants, for the scheduler (16 shards per hour, like files).
    byExpiry: {
      index: 'expiry',
      pk: { field: 'gsi3pk', composite: ['expiryPartition'], casing: 'none' },
      sk: { field: 'gsi3sk', composite: ['expiresAt'] },
    },
  },
});

export type ProjectItem = EntityItem<typeof Project>;
