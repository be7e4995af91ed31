import { randomBytes } from 'node:crypto';
import { fileObjectKey } from '@pixelvault/core/src/entities';
import { putObjectDirectly } from '../../../../tests/helpers/files';
import {
  apiError,
  callApi,
  createTestTenant,
  partnerApiKeyHeader,
  partnerToken,
  systemDb,
  userSession,
  type TestTenant,
} from '../../../../tests/helpers/identity';
import { createdProject, projectBody, savedProject, storedFiles } from '../../../../tests/helpers/projects';

interface OrderView {
  id: string;
  externalOrderId: string;
  state: string;
  retainUntil: string;
  createdAt: string;
  projects: Array<{
    id: string;
    version: number;
    title: string;
    product: { type: string };
    fileIds: string[];
    document: { url: string; expiresAt: string };
  }>;
  files: Array<{ id: string; download: { url: string; expiresAt: string } }>;
}

const postOrder = (token: string, body: unknown) =>
  callApi('POST', '/v1/orders', { token, body, headers: partnerApiKeyHeader() });
const getOrder = (token: string, id: string) =>
  callApi('GET', `/v1/orders/${id}`, { token, headers: partnerApiKeyHeader() });

/** A partner's customer with a saved project of `fileCount` ready files whose originals are stored. */
async function customerWithProject(tenant: TestTenant, fileCount: number) {
  const userId = `customer-${randomBytes(4).toString('hex')}`;
  const session = await userSession(tenant, userId);
  const owner = `user#${userId}`;
  const fileIds = await storedFiles(tenant.tenantId, owner, fileCount);
  const originals = new Map<string, Buffer>();
  for (const fileId of fileIds) {
    const bytes = randomBytes(64);
    originals.set(fileId, bytes);
    await putObjectDirectly(
      fileObjectKey({ tenantId: tenant.tenantId, owner, fileId }, 'original'),
      bytes,
      'image/jpeg',
    );
  }
  const project = await createdProject(session.accessToken, projectBody(fileIds, { pages: ['cover'] }));
  return { userId, token: session.accessToken, fileIds, originals, project };
}

async function counts(tenantId: string, fileIds: string[]) {
  const { data } = await systemDb()
    .entities.file.get(fileIds.map((fileId) => ({ tenantId, fileId })))
    .go({ consistent: true });
  const byId = new Map(data.map((file) => [file.fileId, [file.refCount, file.pinCount]]));
  return fileIds.map((id) => byId.get(id));
}

describe('POST /v1/orders', () => {
  it('freezes the project and pins its files; the order survives the project and keeps its files downloadable', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const partner = await partnerToken(tenant);
    const customer = await customerWithProject(tenant, 2);
    const externalOrderId = `SHOP-${randomBytes(4).toString('hex')}`;

    // Act
    const placed = await postOrder(partner, {
      externalOrderId,
      userId: customer.userId,
      projectIds: [customer.project.id],
    });
    await savedProject(customer.token, customer.project.id, 1, projectBody([], { pages: ['changed'] }));
    const deleted = await callApi('DELETE', `/v1/projects/${customer.project.id}`, { token: customer.token });
    const read = await getOrder(partner, ((await placed.clone().json()) as OrderView).id);

    // Assert
    expect(placed.status).toBe(201);
    expect(deleted.status).toBe(204);
    expect(read.status).toBe(200);
    const order = (await read.json()) as OrderView;
    expect(order).toEqual(
      expect.objectContaining({ externalOrderId, state: 'placed', retainUntil: expect.any(String) }),
    );
    expect(Math.round((Date.parse(order.retainUntil) - Date.now()) / 86_400_000)).toBe(60);
    expect(order.projects).toEqual([
      expect.objectContaining({ id: customer.project.id, version: 1, fileIds: customer.fileIds }),
    ]);
    const document = await fetch(order.projects[0]!.document.url);
    expect(await document.json()).toEqual({ pages: ['cover'] });
    expect(order.files.map((file) => file.id)).toEqual(customer.fileIds);
    for (const file of order.files) {
      const download = await fetch(file.download.url);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer())).toEqual(customer.originals.get(file.id));
    }
    // refCount back to 0 with the project gone, pinCount 1 from the order
    expect(await counts(tenant.tenantId, customer.fileIds)).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });

  it('returns the same order for a replay and 409 for a different body under the same externalOrderId', async () => {
    // Arrange
    const tenant = await createTestTenant();
    const partner = await partnerToken(tenant);
    const customer = await customerWithProject(tenant, 1);
    const other = await createdProject(customer.token, projectBody());
    const body = { externalOrderId: 'SHOP-1', userId: customer.userId, projectIds: [customer.project.id] };
    const first = await postOrder(partner, body);

    // Act
    const replayed = await postOrder(partner, body);
    const different = await postOrder(partner, { ...body, projectIds: [customer.project.id, other.id] });

    // Assert
    expect(first.status).toBe(201);
    expect(replayed.status).toBe(200);
    expect(((await replayed.json()) as OrderView).id).toBe(((await first.json()) as OrderView).id);
    expect(different.status).toBe(409);
    expect(await different.json()).toEqual(
      apiError('conflict', [{ field: 'externalOrderId', reason: 'already used with a different body' }]),
    );
    expect(await counts(tenant.tenantId, customer.fileIds)).toEqual([[1, 1]]);
  });

  it("hides an order from another tenant's partner with 404", async () => {
    // Arrange
    const tenant = await createTestTenant();
    const customer = await customerWithProject(tenant, 1);
    const placed = await postOrder(await partnerToken(tenant), {
      externalOrderId: 'SHOP-2',
      userId: customer.userId,
      projectIds: [customer.project.id],
    });
    const stranger = await partnerToken(await createTestTenant());

    // Act
    const read = await getOrder(stranger, ((await placed.json()) as OrderView).id);

    // Assert
    expect(read.status).toBe(404);
    expect(await read.json()).toEqual(apiError('not_found'));
  });

  it("refuses another customer's project with 400 and a session token with 403, pinning nothing", async () => {
    // Arrange
    const tenant = await createTestTenant();
    const partner = await partnerToken(tenant);
    const customer = await customerWithProject(tenant, 1);
    const someoneElse = await customerWithProject(tenant, 0);

    // Act
    const foreign = await postOrder(partner, {
      externalOrderId: 'SHOP-3',
      userId: someoneElse.userId,
      projectIds: [customer.project.id],
    });
    const bySession = await postOrder(customer.token, {
      externalOrderId: 'SHOP-4',
      userId: customer.userId,
      projectIds: [customer.project.id],
    });

    // Assert
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toEqual(
      apiError('invalid_request', [
        { field: 'projectIds.0', reason: `project ${customer.project.id}: not_found` },
      ]),
    );
    expect(bySession.status).toBe(403);
    expect(await counts(tenant.tenantId, customer.fileIds)).toEqual([[1, 0]]);
  });
});
