import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { identityProblem, type Owner, type Subject, type TokenClaims, type TokenKind } from './claims';
import type { SigningKeys } from './keys';

export interface IssueTokenInput {
  issuer: string;
  audience: string;
  sub: Subject;
  tid: string;
  kind: TokenKind;
  scope: string;
  ttlSeconds: number;
  owner?: Owner;
  longTerm?: boolean;
  /** Becomes the `sid` claim. */
  sessionId?: string;
}

/** Signs an access token with the newest key; `nbf` = `iat` = now. */
export async function issueToken(
  keys: SigningKeys,
  input: IssueTokenInput,
  now = new Date(),
): Promise<{ token: string; claims: TokenClaims }> {
  const { issuer, audience, sub, tid, kind, scope, ttlSeconds, owner, longTerm, sessionId: sid } = input;
  // Refuse here what every verifier would refuse later, where the mistake is much harder to trace.
  const problem = identityProblem({ sub, tid, kind, scope, owner, longTerm, sid });
  if (problem) throw new Error(`Cannot issue a ${kind} token: invalid ${problem}`);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
    throw new Error(`ttlSeconds must be a positive integer, got ${ttlSeconds}`);

  const iat = Math.floor(now.getTime() / 1000);
  const claims: TokenClaims = {
    iss: issuer,
    aud: audience,
    sub,
    tid,
    scope,
    kind,
    iat,
    nbf: iat,
    exp: iat + ttlSeconds,
    jti: randomUUID(),
    ...(owner === undefined ? {} : { owner }),
    ...(longTerm === undefined ? {} : { longTerm }),
    ...(sid === undefined ? {} : { sid }),
  };
  const { kid, key } = await keys.signingKey();
  const token = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .sign(key);
  return { token, claims };
}
