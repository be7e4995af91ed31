import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '@pixelvault/local-aws';
import { testSystem } from '../../../../tests/helpers/system';
import { createDb, expiryPartition, transitionFile, type Db } from '../../src/entities';

const sha256 = () => randomBytes(32).toString('base64');
const newTenantId = () => `t-${randomUUID().slice(0, 12)}`;

describe('File entity on the one table', () => {
  const system = testSystem();
  const client = new DynamoDBClient({
    endpoint: system.endpoints.dynamodb,
    region: system.region,
    credentials: LOCAL_CREDENTIALS,
  });
  let db: Db;
  beforeAll(() => {
    db = createDb({ client, table: system.outputs.TableName });
  });
  afterAll(() => client.destroy());

  const register = (
    tenantId: string,
    owner: string,
    extra: { createdAt?: string; expiresAt?: string } = {},
  ) =>
    db.entities.file
      .create({
        tenantId,
        owner,
        name: 'IMG_0001.HEIC',
        contentType: 'image/heic',
        size: 1234,
        sha256: sha256(),
        ...extra,
      })
      .go()
      .then(({ data }) => data);

  it('registers a pending file whose storage key is built from ids, never from the file name', async () => {
    // Act
    const file = await register(newTenantId(), 'session#abc123');
    // Assert
    expect(file).toMatchObject({ state: 'pending', refCount: 0, pinCount: 0, longTerm: false });
    expect(file.objectKey).toBe(`t/${file.tenantId}/o/session#abc123/f/${file.fileId}/original`);
    expect(file.objectKey).not.toContain('IMG_0001');
  });

  it("lists an owner's files newest first with one Query, never another owner's or tenant's", async () => {
    // Arrange
    const tenantId = newTenantId();
    const older = await register(tenantId, 'user#u1', { createdAt: '2026-11-01T00:00:00.000Z' });
    const newer = await register(tenantId, 'user#u1', { createdAt: '2026-11-02T00:00:00.000Z' });
    await register(tenantId, 'user#u2');
    await register(newTenantId(), 'user#u1');
    // Act
    const { data } = await db.entities.file.query
      .byOwner({ tenantId, owner: 'user#u1' })
      .go({ order: 'desc' });
    // Assert
    expect(data.map((file) => file.fileId)).toEqual([newer.fileId, older.fileId]);
  });

  it('finds expiring files by hour bucket and shard, and forgets them once they no longer expire', async () => {
    // Arrange
    const expiresAt = `2031-03-0${1 + Math.floor(Math.random() * 8)}T05:${String(Math.floor(Math.random() * 60)).padStart(2, '0')}:00.000Z`;
    const file = await register(newTenantId(), 'session#s1', { expiresAt });
    const key = { expiryPartition: expiryPartition(expiresAt, file.fileId) };
    // Act
    const before = await db.entities.file.query.byExpiry(key).go();
    await db.entities.file.patch({ tenantId: file.tenantId, fileId: file.fileId }).remove(['expiresAt']).go();
    const after = await db.entities.file.query.byExpiry(key).go();
    // Assert
    expect(before.data.map((f) => f.fileId)).toContain(file.fileId);
    expect(after.data.map((f) => f.fileId)).not.toContain(file.fileId);
  });

  it('moves states only forward: a duplicate or late message changes nothing', async () => {
    // Arrange
    const file = await register(newTenantId(), 'session#s2');
    const key = { tenantId: file.tenantId, fileId: file.fileId };
    // Act
    const took = await transitionFile(db, key, 'processing');
    const tookAgain = await transitionFile(db, key, 'processing');
    const ready = await transitionFile(db, key, 'ready', { width: 4000, height: 3000, format: 'jpeg' });
    const regressed = await transitionFile(db, key, 'processing');
    const rejectedLate = await transitionFile(db, key, 'rejected', {
      rejection: { reason: 'processing_failed' },
    });
    const missing = await transitionFile(
      db,
      { ...key, fileId: randomBytes(16).toString('base64url') },
      'processing',
    );
    // Assert
    expect([took, tookAgain, ready, regressed, rejectedLate, missing]).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    const { data } = await db.entities.file.get(key).go();
    expect(data).toMatchObject({ state: 'ready', width: 4000, height: 3000, format: 'jpeg' });
    expect(data?.rejection).toBeUndefined();
  });
});
