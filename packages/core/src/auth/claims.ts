/** Who a token speaks for: a browser session, a partner's logged-in user, or a partner system. */
export type Subject = `session#${string}` | `user#${string}` | `client#${string}`;
/** An owner of files and projects (DESIGN: `session#<id>` or `user#<id>`). */
export type Owner = `session#${string}` | `user#${string}`;

const TOKEN_KINDS = ['guest', 'user', 'upload', 'partner'] as const;

/** The verifier's largest allowed clock skew: a token may pass until this long after its exp. */
export const MAX_CLOCK_TOLERANCE_SECONDS = 60;

/** An upload link's lifetime; it carries the `sid` of the session that made it, so it can outlive it by this much. */
export const UPLOAD_LINK_TTL_SECONDS = 30 * 60;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/** The claims every Pixelvault access token carries (times in seconds since the epoch). */
export interface TokenClaims {
  iss: string;
  aud: string;
  sub: Subject;
  /** The tenant every key of every item starts with. */
  tid: string;
  /** Space-separated scopes, as in OAuth 2. */
  scope: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  kind: TokenKind;
  /** Upload links only: the owner the uploads go to. */
  owner?: Owner;
  /** Upload links only: keep the uploads beyond the guest session. */
  longTerm?: boolean;
  /**
   * Session tokens and the upload links made with them: the session (OIDC `sid`), which a user token's `user#`
   * subject does not name. Revoking the session stops them all.
   */
  sid?: string;
}

const SUBJECT = /^(session|user|client)#\S+$/;
const OWNER = /^(session|user)#\S+$/;

const isSubject = (value: unknown): value is Subject => typeof value === 'string' && SUBJECT.test(value);
const isOwner = (value: unknown): value is Owner => typeof value === 'string' && OWNER.test(value);
const isTokenKind = (value: unknown): value is TokenKind => TOKEN_KINDS.includes(value as TokenKind);

/**
 * Why a set of identity claims is inconsistent, or undefined when it is fine. Shared by the issuer (never sign
 * what the verifier would refuse) and the verifier. Partner tokens and `client#` subjects go together so a
 * partner system can never pass for an owner, and an upload link must say whose uploads it carries.
 */
export function identityProblem(claims: {
  sub: unknown;
  tid: unknown;
  kind: unknown;
  scope: unknown;
  owner?: unknown;
  longTerm?: unknown;
  sid?: unknown;
}): string | undefined {
  if (!isSubject(claims.sub)) return 'sub';
  if (typeof claims.tid !== 'string' || claims.tid === '') return 'tid';
  if (!isTokenKind(claims.kind)) return 'kind';
  if (typeof claims.scope !== 'string') return 'scope';
  if ((claims.kind === 'partner') !== claims.sub.startsWith('client#')) return 'kind';
  if (claims.owner !== undefined && !isOwner(claims.owner)) return 'owner';
  if (claims.kind === 'upload' && claims.owner === undefined) return 'owner';
  if (claims.longTerm !== undefined && typeof claims.longTerm !== 'boolean') return 'longTerm';
  if (claims.sid !== undefined && (typeof claims.sid !== 'string' || claims.sid === '')) return 'sid';
  return undefined;
}

export function scopesOf(claims: Pick<TokenClaims, 'scope'>): Set<string> {
  return new Set(claims.scope.split(' ').filter(Boolean));
}

export function hasScope(claims: Pick<TokenClaims, 'scope'>, scope: string): boolean {
  return scopesOf(claims).has(scope);
}
