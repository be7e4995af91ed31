import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  createDb,
  fileSigningKeys,
  requiredEnv,
  ssmSigningKeys,
  type Db,
  type SigningKeys,
} from '@pixelvault/core';

let db: Db | undefined;
let keys: SigningKeys | undefined;

export const identityDb = (): Db => (db ??= createDb());

/** Local stacks keep keys in files (SIGNING_KEYS_DIR); AWS keeps them in SSM SecureString parameters. */
export function signingKeys(): SigningKeys {
  if (keys) return keys;
  const dir = process.env.SIGNING_KEYS_DIR;
  if (dir) return (keys = fileSigningKeys(dir));
  const ssm = new SSMClient({});
  return (keys = ssmSigningKeys({
    parameterNames: requiredEnv('SIGNING_KEY_PARAMETERS')
      .split(',')
      .map((name) => name.trim()),
    fetchParameters: async (names) => {
      const { Parameters = [], InvalidParameters = [] } = await ssm.send(
        new GetParametersCommand({ Names: names, WithDecryption: true }),
      );
      if (InvalidParameters.length > 0)
        throw new Error(`Missing signing key parameters: ${InvalidParameters.join(', ')}`);
      return names.map((name) => Parameters.find((parameter) => parameter.Name === name)?.Value ?? '');
    },
  }));
}

export const tokenSettings = () => ({
  issuer: requiredEnv('TOKEN_ISSUER'),
  audience: requiredEnv('TOKEN_AUDIENCE'),
});

/**
 * Writes a session; a user's only while no erasure of that user runs (one transaction with a check of the
 * Erasure item), so an erasure's revocations cover every session the user will have. False when one runs.
 */
export async function createSession(session: {
  tenantId: string;
  sessionId: string;
  kind: 'guest' | 'user';
  userId?: string;
  expiresAt: string;
}): Promise<boolean> {
  const { tenantId, userId } = session;
  if (userId === undefined) {
    await identityDb().entities.session.create(session).go();
    return true;
  }
  const { canceled, data } = await identityDb()
    .transaction.write(({ session: sessions, erasure }) => [
      sessions.create(session).commit(),
      erasure
        .check({ tenantId, userId })
        .where(({ state }, { ne, notExists }) => `${notExists(state)} OR ${ne(state, 'running')}`)
        .commit(),
    ])
    .go();
  if (!canceled) return true;
  const [sessionWrite, erasureCheck] = (data as Array<{ code: string }>).map((result) => result.code);
  if (erasureCheck === 'ConditionalCheckFailed' && sessionWrite === 'None') return false;
  throw new Error(`Session not created: ${sessionWrite}, ${erasureCheck}`);
}
