import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '@pixelvault/local-aws';
import { testSystem } from '../../../../tests/helpers/system';
import {
  createDb,
  createPartnerClient,
  findPartnerClient,
  incrementRateCounter,
  isTokenRevoked,
  publicPartnerClient,
  revokeSessions,
  SESSION_TTL_GRACE_SECONDS,
  userOwner,
  type Db,
  type NewPartnerClient,
} from '../../src/entities';
import { ApiError } from '../../src/errors';

interface SentCommand {
  name: string | undefined;
  input: Record<string, unknown>;
}

const newTenantId = () => `t-${randomUUID().slice(0, 12)}`;
const newClientId = () => `c-${randomUUID()}`;
const newJti = () => randomBytes(16).toString('base64url');
const partnerClient = (tenantId: string, clientId: string): NewPartnerClient => ({
  tenantId,
  clientId,
  name: 'Shop',
  secretHash: 'scrypt$32768$8$1$c2FsdA==$aGFzaA==',
  scopes: ['sessions:write', 'orders:read'],
});

describe('entities on the one table', () => {
  const system = testSystem();
  const client = new DynamoDBClient({
    endpoint: system.endpoints.dynamodb,
    region: system.region,
    credentials: LOCAL_CREDENTIALS,
  });
  // Every DynamoDB call the Db makes, to assert that an access pattern is exactly one request.
  const sent: SentCommand[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push({ name: context.commandName, input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  let db: Db;

  beforeAll(() => {
    db = createDb({ client, table: system.outputs.TableName });
  });
  beforeEach(() => {
    sent.length = 0;
  });
  afterAll(() => client.destroy());

  describe('Tenant', () => {
    it('fills the defaults on create and reads back with one GetItem', async () => {
      // Arrange
      const tenantId = newTenantId();
      await db.entities.tenant.create({ tenantId, name: 'Acme Prints' }).go();
      sent.length = 0;
      // Act
      const { data } = await db.entities.tenant.get({ tenantId }).go();
      // Assert
      expect(sent.map((command) => command.name)).toEqual(['GetItemCommand']);
      expect(data).toMatchObject({
        tenantId,
        name: 'Acme Prints',
        status: 'active',
        settings: { guestSessionsPerMinute: 60 },
      });
      expect(data?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]{12}Z$/);
      expect(data?.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]{12}Z$/);
    });

    it('moves updatedAt on every write and keeps createdAt', async () => {
      // Arrange
      const tenantId = newTenantId();
      const created = await db.entities.tenant
        .create({ tenantId, name: 'Acme', createdAt: '2020-01-01T00:00:00.000Z' })
        .go();
      // Act
      await db.entities.tenant.patch({ tenantId }).set({ status: 'suspended' }).go();
      const { data } = await db.entities.tenant.get({ tenantId }).go();
      // Assert
      expect(data?.status).toBe('suspended');
      expect(data?.createdAt).toBe('2020-01-01T00:00:00.000Z');
      expect(data!.updatedAt > created.data.updatedAt).toBe(true);
    });

    it.each([['Acme'], ['a'], ['a'.repeat(41)], ['-acme'], ['acme-'], ['ac#me']])(
      'rejects the tenant id %j',
      async (tenantId) => {
        // Act
        const create = db.entities.tenant.create({ tenantId, name: 'Bad' }).go();
        // Assert
        await expect(create).rejects.toThrow(/Invalid value for attribute "tenantId"/);
        expect(sent).toEqual([]);
      },
    );
  });

  describe('PartnerClient', () => {
    it('finds a client by clientId alone with one Query on gsi1', async () => {
      // Arrange
      const [tenantA, tenantB] = [newTenantId(), newTenantId()];
      const [clientA, clientB] = [newClientId(), newClientId()];
      await createPartnerClient(db, partnerClient(tenantA, clientA));
      await createPartnerClient(db, partnerClient(tenantB, clientB));
      sent.length = 0;
      // Act
      const found = await findPartnerClient(db, clientA);
      // Assert
      expect(sent).toEqual([{ name: 'QueryCommand', input: expect.objectContaining({ IndexName: 'gsi1' }) }]);
      expect(found).toMatchObject({
        tenantId: tenantA,
        clientId: clientA,
        scopes: ['sessions:write', 'orders:read'],
        disabled: false,
      });
    });

    it('answers undefined for an unknown clientId', async () => {
      // Act
      const found = await findPartnerClient(db, newClientId());
      // Assert
      expect(found).toBeUndefined();
    });

    it("lists a tenant's clients from its own partition only", async () => {
      // Arrange
      const [tenantA, tenantB] = [newTenantId(), newTenantId()];
      const [first, second, other] = [newClientId(), newClientId(), newClientId()];
      await createPartnerClient(db, partnerClient(tenantA, first));
      await createPartnerClient(db, partnerClient(tenantA, second));
      await createPartnerClient(db, partnerClient(tenantB, other));
      sent.length = 0;
      // Act
      const { data } = await db.entities.partnerClient.query.byTenant({ tenantId: tenantA }).go();
      // Assert
      expect(sent.map((command) => command.name)).toEqual(['QueryCommand']);
      expect(data.map((item) => item.clientId).sort()).toEqual([first, second].sort());
    });

    it('refuses a clientId another tenant already uses, with a 409', async () => {
      // Arrange
      const [tenantA, tenantB] = [newTenantId(), newTenantId()];
      const clientId = newClientId();
      await createPartnerClient(db, partnerClient(tenantA, clientId));
      // Act
      const second = createPartnerClient(db, partnerClient(tenantB, clientId));
      // Assert
      await expect(second).rejects.toThrow(ApiError);
      await expect(second).rejects.toMatchObject({
        statusCode: 409,
        message: `clientId ${clientId} is already taken`,
      });
      const inB = await db.entities.partnerClient.get({ tenantId: tenantB, clientId }).go();
      expect(inB.data).toBeNull();
      expect((await findPartnerClient(db, clientId))?.tenantId).toBe(tenantA);
    });

    it.each([['Shop-1'], ['ab'], ['-shop'], ['shop_1'], [`c${'x'.repeat(63)}`]])(
      'rejects the client id %j before writing anything',
      async (clientId) => {
        // Act
        const create = createPartnerClient(db, partnerClient(newTenantId(), clientId));
        // Assert
        await expect(create).rejects.toThrow(/Invalid value for attribute "clientId"/);
        expect(sent).toEqual([]);
      },
    );

    it('stores the secret hash but publicPartnerClient never shows it', async () => {
      // Arrange
      const tenantId = newTenantId();
      const clientId = newClientId();
      await createPartnerClient(db, partnerClient(tenantId, clientId));
      const stored = await findPartnerClient(db, clientId);
      // Act
      const shown = publicPartnerClient(stored!);
      // Assert
      expect(stored?.secretHash).toBe(partnerClient(tenantId, clientId).secretHash);
      expect(shown).not.toHaveProperty('secretHash');
      expect(shown).toMatchObject({ tenantId, clientId, name: 'Shop' });
    });
  });

  describe('Session', () => {
    const expiresAt = '2031-01-01T06:00:00.000Z';

    it("derives a guest's owner from its session id and a ttl a grace period after expiry", async () => {
      // Arrange
      const tenantId = newTenantId();
      // Act
      const { data } = await db.entities.session.create({ tenantId, kind: 'guest', expiresAt }).go();
      // Assert
      expect(data.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(data.owner).toBe(`session#${data.sessionId}`);
      expect(data.ttl).toBe(Date.parse(expiresAt) / 1000 + SESSION_TTL_GRACE_SECONDS);
      const read = await db.entities.session.get({ tenantId, sessionId: data.sessionId }).go();
      expect(read.data).toEqual(data);
    });

    it("derives a user session's owner from its user id", async () => {
      // Act
      const { data } = await db.entities.session
        .create({ tenantId: newTenantId(), kind: 'user', userId: 'Customer-42', expiresAt })
        .go();
      // Assert
      expect(data.owner).toBe('user#Customer-42');
    });

    it('requires a userId for a user session and refuses one for a guest', async () => {
      // Arrange
      const tenantId = newTenantId();
      // Act
      const user = db.entities.session.create({ tenantId, kind: 'user', expiresAt }).go();
      const guest = db.entities.session.create({ tenantId, kind: 'guest', userId: 'u1', expiresAt }).go();
      // Assert
      await expect(user).rejects.toThrow('A user session needs a userId');
      await expect(guest).rejects.toThrow('A guest session has no userId');
    });

    it("lists a user's sessions newest first with one Query on gsi1, within the tenant", async () => {
      // Arrange
      const [tenantA, tenantB] = [newTenantId(), newTenantId()];
      const userId = `user-${randomUUID()}`;
      const create = (tenantId: string, createdAt: string) =>
        db.entities.session.create({ tenantId, kind: 'user', userId, createdAt, expiresAt }).go();
      const older = await create(tenantA, '2031-01-01T00:00:00.000Z');
      const newest = await create(tenantA, '2031-01-01T02:00:00.000Z');
      const middle = await create(tenantA, '2031-01-01T01:00:00.000Z');
      await create(tenantB, '2031-01-01T03:00:00.000Z');
      await db.entities.session.create({ tenantId: tenantA, kind: 'guest', expiresAt }).go();
      sent.length = 0;
      // Act
      const { data } = await db.entities.session.query
        .byUser({ tenantId: tenantA, owner: userOwner(userId) })
        .go({ order: 'desc' });
      // Assert
      expect(sent).toEqual([{ name: 'QueryCommand', input: expect.objectContaining({ IndexName: 'gsi1' }) }]);
      expect(data.map((session) => session.sessionId)).toEqual(
        [newest, middle, older].map((session) => session.data.sessionId),
      );
    });

    it('keeps guest sessions out of gsi1, which serves user sessions only', async () => {
      // Arrange
      const tenantId = newTenantId();
      const { data } = await db.entities.session.create({ tenantId, kind: 'guest', expiresAt }).go();
      // Act
      const listed = await db.entities.session.query.byUser({ tenantId, owner: data.owner! }).go();
      // Assert
      expect(listed.data).toEqual([]);
    });

    it('keeps the gsi1 entry when a user session is ended', async () => {
      // Arrange
      const tenantId = newTenantId();
      const userId = `user-${randomUUID()}`;
      const { data } = await db.entities.session.create({ tenantId, kind: 'user', userId, expiresAt }).go();
      // Act
      await db.entities.session
        .patch({ tenantId, sessionId: data.sessionId })
        .set({ endedAt: '2031-01-01T01:00:00.000Z' })
        .go();
      // Assert
      const listed = await db.entities.session.query.byUser({ tenantId, owner: userOwner(userId) }).go();
      expect(listed.data).toEqual([{ ...data, endedAt: '2031-01-01T01:00:00.000Z' }]);
    });
  });

  describe('Revocation', () => {
    const claimsOf = (tid: string, jti: string, sid?: string) => ({ tid, jti, ...(sid ? { sid } : {}) });

    it('stops every token of a revoked session and a session-less token by its jti, one projected GetItem each, per tenant', async () => {
      // Arrange
      const [tenantA, tenantB] = [newTenantId(), newTenantId()];
      const sessionId = randomUUID();
      const partnerJti = newJti();
      await revokeSessions(
        db,
        [{ tenantId: tenantA, sessionId, expiresAt: '2031-01-01T06:00:00.000Z' }],
        'logout',
      );
      await db.entities.revocation
        .create({
          tenantId: tenantA,
          revokes: 'token',
          id: partnerJti,
          expiresAt: '2031-01-01T01:00:00.000Z',
          reason: 'admin',
        })
        .go();
      sent.length = 0;
      // Act
      const checks = await Promise.all([
        isTokenRevoked(db, claimsOf(tenantA, newJti(), sessionId)), // the session token
        isTokenRevoked(db, claimsOf(tenantA, newJti(), sessionId)), // an upload link of the session
        isTokenRevoked(db, claimsOf(tenantB, newJti(), sessionId)), // the same ids in another tenant
        isTokenRevoked(db, claimsOf(tenantA, newJti(), randomUUID())), // another session
        isTokenRevoked(db, claimsOf(tenantA, partnerJti)), // the revoked partner token
        isTokenRevoked(db, claimsOf(tenantA, sessionId)), // a session-less token whose jti is the session id
      ]);
      // Assert
      expect(checks).toEqual([true, true, false, false, true, false]);
      expect(sent).toHaveLength(6);
      for (const command of sent) {
        expect(command.name).toBe('GetItemCommand');
        expect(command.input.ProjectionExpression).toEqual(expect.any(String));
      }
    });

    it('lives until the last token of the session (an upload link made at its end) could verify, and skips sessions already over', async () => {
      // Arrange
      const tenantId = newTenantId();
      const [live, over] = [randomUUID(), randomUUID()];
      const now = new Date('2031-01-01T00:00:00.000Z');
      // Act
      await revokeSessions(
        db,
        [
          { tenantId, sessionId: live, expiresAt: '2031-01-01T06:00:00.000Z' },
          // its tokens verified until 23:31 the day before (30 min upload link + 60 s clock tolerance)
          { tenantId, sessionId: over, expiresAt: '2030-12-31T23:29:00.000Z' },
        ],
        'erasure',
        now,
      );
      // Assert
      const { data } = await db.entities.revocation.get({ tenantId, revokes: 'session', id: live }).go();
      expect(data).toMatchObject({ expiresAt: '2031-01-01T06:31:00.000Z', reason: 'erasure' });
      expect(data?.ttl).toBe(Date.parse('2031-01-01T06:31:00.000Z') / 1000);
      expect(await isTokenRevoked(db, claimsOf(tenantId, newJti(), over))).toBe(false);
    });

    it('keeps case-sensitive ids apart', async () => {
      // Arrange
      const tenantId = newTenantId();
      const sessionId = `Aa${newJti()}`;
      await revokeSessions(db, [{ tenantId, sessionId, expiresAt: '2031-01-01T06:00:00.000Z' }], 'logout');
      // Act
      const other = await isTokenRevoked(db, claimsOf(tenantId, newJti(), sessionId.toLowerCase()));
      // Assert
      expect(other).toBe(false);
    });
  });

  describe('RateCounter', () => {
    it('counts 20 concurrent increments atomically, each count seen once', async () => {
      // Arrange
      const tenantId = newTenantId();
      const key = { tenantId, name: 'guest-sessions', window: '2031-01-01T09:23', ttl: 1924995780 };
      // Act
      const counts = await Promise.all(Array.from({ length: 20 }, () => incrementRateCounter(db, key)));
      // Assert
      expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(sent.filter((command) => command.name === 'UpdateItemCommand')).toHaveLength(20);
      const { data } = await db.entities.rateCounter.get(key).go();
      expect(data).toMatchObject({ count: 20, ttl: key.ttl });
    });

    it('counts each tenant and window separately', async () => {
      // Arrange
      const [tenantA, tenantB] = [newTenantId(), newTenantId()];
      const key = { tenantId: tenantA, name: 'guest-sessions', window: '2031-01-01T09:23', ttl: 1924995780 };
      await incrementRateCounter(db, key);
      // Act
      const otherTenant = await incrementRateCounter(db, { ...key, tenantId: tenantB });
      const nextWindow = await incrementRateCounter(db, { ...key, window: '2031-01-01T09:24' });
      const sameWindow = await incrementRateCounter(db, key);
      // Assert
      expect([otherTenant, nextWindow, sameWindow]).toEqual([1, 1, 2]);
    });
  });
});
