import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Entity, Service } from 'electrodb';
import { dynamoDbClient } from '../aws/clients';
import { requiredEnv } from '../config';
import { ClientIdClaim } from './client-id-claim';
import { Erasure } from './erasure';
import { File } from './file';
import { PartnerClient } from './partner-client';
import { Order } from './order';
import { Project } from './project';
import { ProjectShare } from './project-share';
import { RateCounter } from './rate-counter';
import { Revocation } from './revocation';
import { Session } from './session';
import { SweepWatermark } from './sweep-watermark';
import { Tenant } from './tenant';

export interface DbOptions {
  /** Defaults to the Lambda's shared client; its endpoint comes from the SDK's own environment variables. */
  client?: DynamoDBClient;
  /** Defaults to TABLE_NAME. */
  table?: string;
}

/** The ElectroDB Service over the one table: `db.entities.tenant`, `db.transaction.write(...)`, ... */
export function createDb(options: DbOptions = {}) {
  const client = options.client
    ? DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } })
    : dynamoDbClient();
  const table = options.table ?? requiredEnv('TABLE_NAME');
  // A Service binds its client and table by mutating the entities it gets: fresh copies keep each Db separate.
  return new Service(
    {
      tenant: new Entity(Tenant.schema),
      partnerClient: new Entity(PartnerClient.schema),
      clientIdClaim: new Entity(ClientIdClaim.schema),
      session: new Entity(Session.schema),
      revocation: new Entity(Revocation.schema),
      rateCounter: new Entity(RateCounter.schema),
      file: new Entity(File.schema),
      project: new Entity(Project.schema),
      projectShare: new Entity(ProjectShare.schema),
      order: new Entity(Order.schema),
      erasure: new Entity(Erasure.schema),
      sweepWatermark: new Entity(SweepWatermark.schema),
    },
    { client, table },
  );
}

export type Db = ReturnType<typeof createDb>;

export { ClientIdClaim, CLIENT_ID_PATTERN } from './client-id-claim';
export {
  PartnerClient,
  createPartnerClient,
  findPartnerClient,
  publicPartnerClient,
  type NewPartnerClient,
  type PartnerClientItem,
  type PublicPartnerClient,
} from './partner-client';
export { RateCounter, incrementRateCounter, type RateCounterKey } from './rate-counter';
export {
  Revocation,
  isTokenRevoked,
  revocationKeyOf,
  revokeSessions,
  sessionTokensVerifyUntil,
  type RevocationReason,
} from './revocation';
export {
  Session,
  SESSION_TTL_GRACE_SECONDS,
  USER_ID_PATTERN,
  forEachUserSessionPage,
  sessionOwner,
  userOwner,
  type SessionItem,
} from './session';
export { Tenant, tenantSettings, type TenantSettings } from './tenant';
export {
  File,
  FILE_OBJECTS,
  FILE_STATES,
  EXPIRY_SHARDS,
  OWNER_PATTERN,
  SHA256_BASE64_PATTERN,
  expiryBucket,
  expiryShard,
  expiryPartition,
  statesBefore,
  transitionFile,
  claimFileForProcessing,
  markFileDeleted,
  DELETED_FILE_TTL_SECONDS,
  fileObjectKey,
  expiryFields,
  expiresWithSession,
  storedFileObjectKeys,
  fileOfObjectKey,
  newFileId,
  type FileObject,
  type FileDeletion,
  type FileItem,
  type FileState,
} from './file';
export {
  Project,
  PRODUCT_TYPE_PATTERN,
  newProjectId,
  isProjectDocumentKey,
  projectDocumentKey,
  projectObjectPrefix,
  projectObjectPrefixes,
  type ProjectItem,
} from './project';
export {
  ProjectShare,
  SHARE_TOKEN_PATTERN,
  newShareToken,
  shareIdOf,
  type ProjectShareItem,
} from './project-share';
export {
  Order,
  EXTERNAL_ORDER_ID_PATTERN,
  ORDER_ID_PATTERN,
  orderIdOf,
  orderDocumentKey,
  orderRetentionFields,
  type OrderItem,
} from './order';
export { pinWrites, releaseOrder, removeOrder } from './order-pins';
export { ID_PATTERN, TENANT_ID_PATTERN, isConditionalCheckFailed } from './shared';
export {
  MAX_REFERENCE_CHANGES,
  referenceWrites,
  removeProject,
  runReferenceTransaction,
  type TransactionEntities,
  type TransactionItem,
} from './project-references';
export {
  Erasure,
  ERASURE_COUNTS,
  ERASURE_REPORT_TTL_SECONDS,
  type ErasureCount,
  type ErasureItem,
} from './erasure';
export { SweepWatermark, advanceSweptThrough, readSweptThrough } from './sweep-watermark';
