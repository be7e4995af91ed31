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
