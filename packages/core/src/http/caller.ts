import type { APIGatewayProxyEvent } from 'aws-lambda';
import {
  identityProblem,
  scopesOf,
  type Owner,
  type Subject,
  type TokenClaims,
  type TokenKind,
} from '../auth/claims';
import { ApiError, unauthorized } from '../errors';

/** Who is calling, as the TOKEN authorizer verified it. */
export interface Caller {
  sub: Subject;
  tenantId: string;
  scopes: Set<string>;
  kind: TokenKind;
  jti: string;
  /** Token expiry, seconds since the epoch. */
  exp: number;
  owner?: Owner;
  longTerm?: boolean;
  /** Session tokens: the session to end on logout. */
  sessionId?: string;
}

// API Gateway hands context numbers and booleans to the integration as strings; serverless-offline does not.
const asNumber = (value: unknown) => (typeof value === 'string' && value !== '' ? Number(value) : value);
const asBoolean = (value: unknown) => (value === 'true' ? true : value === 'false' ? false : value);

/**
 * The caller from `event.requestContext.authorizer` (the authorizer's context). Missing or inconsistent means
 * the route was deployed without the authorizer: refuse with 401 rather than guess.
 */
export function callerOf(event: APIGatewayProxyEvent): Caller {
  const context = (event.requestContext.authorizer ?? {}) as Record<string, unknown>;
  const { sub, tid, scope, kind, jti, owner, sid } = context;
  const exp = asNumber(context.exp);
  const longTerm = context.longTerm === undefined ? undefined : asBoolean(context.longTerm);
  if (
    identityProblem({ sub, tid, kind, scope, owner, longTerm, sid }) !== undefined ||
    typeof jti !== 'string' ||
    jti === '' ||
    typeof exp !== 'number' ||
    !Number.isFinite(exp)
  )
    throw unauthorized();
  // identityProblem has checked the shapes; the casts only restate it for the compiler.
  return callerFromClaims({
    sub: sub as Subject,
    tid: tid as string,
    scope: scope as string,
    kind: kind as TokenKind,
    jti,
    exp,
    owner: owner as Owner | undefined,
    longTerm: longTerm as boolean | undefined,
    sid: sid as string | undefined,
  });
}

/** The caller a verified token speaks for. */
export function callerFromClaims(
  claims: Pick<TokenClaims, 'sub' | 'tid' | 'scope' | 'kind' | 'jti' | 'exp' | 'owner' | 'longTerm' | 'sid'>,
): Caller {
  const { sub, tid, scope, kind, jti, exp, owner, longTerm, sid } = claims;
  return {
    sub,
    tenantId: tid,
    scopes: scopesOf({ scope }),
    kind,
    jti,
    exp,
    ...(owner === undefined ? {} : { owner }),
    ...(longTerm === undefined ? {} : { longTerm }),
    ...(sid === undefined ? {} : { sessionId: sid }),
  };
}

/** 403 unless the token carries `scope`. */
export function requireScope(caller: Caller, scope: string): void {
  if (!caller.scopes.has(scope))
    throw new ApiError(403, 'insufficient_scope', `This token lacks the scope ${scope}`, { required: scope });
}
