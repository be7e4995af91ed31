import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
// Deep imports: core's index also loads Middy, whose packages only export ESM `import` entries that this
// CommonJS tooling (tsx, Jest's global setup) cannot resolve.
import { hashSecret, verifySecret } from '@pixelvault/core/src/auth/secrets';
import { createDb, createPartnerClient } from '@pixelvault/core/src/entities';

export interface SeedTenant {
  tenantId: string;
  name: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  guestSessionsPerMinute?: number;
}

/** Creates a tenant and its partner client, or brings an existing pair up to date; safe to run at every start. */
export async function seedTenant(client: DynamoDBClient, table: string, seed: SeedTenant): Promise<void> {
  const db = createDb({ client, table });
  const settings = { guestSessionsPerMinute: seed.guestSessionsPerMinute ?? 60 };
  await db.entities.tenant
    .upsert({ tenantId: seed.tenantId, name: seed.name, status: 'active', settings })
    .go();
  const { data: existing } = await db.entities.partnerClient
    .get({ tenantId: seed.tenantId, clientId: seed.clientId })
    .go();
  if (!existing) {
    await createPartnerClient(db, {
      tenantId: seed.tenantId,
      clientId: seed.clientId,
      name: `${seed.name} partner`,
      secretHash: await hashSecret(seed.clientSecret),
      scopes: seed.scopes,
    });
    return;
  }
  const secretHash = (await verifySecret(seed.clientSecret, existing.secretHash))
    ? existing.secretHash
    : await hashSecret(seed.clientSecret);
  await db.entities.partnerClient
    .patch({ tenantId: seed.tenantId, clientId: seed.clientId })
    .set({ secretHash, scopes: seed.scopes, disabled: false })
    .go();
}
