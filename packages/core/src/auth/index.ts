export {
  hasScope,
  scopesOf,
  MAX_CLOCK_TOLERANCE_SECONDS,
  UPLOAD_LINK_TTL_SECONDS,
  type Owner,
  type Subject,
  type TokenClaims,
  type TokenKind,
} from './claims';
export {
  fileSigningKeys,
  generateSigningKey,
  rotateFileSigningKeys,
  ssmSigningKeys,
  type SigningKeys,
  type SsmSigningKeysOptions,
  type StoredSigningKey,
} from './keys';
export { issueToken, type IssueTokenInput } from './issuer';
export {
  createTokenVerifier,
  JwksUnavailableError,
  TokenRejectedError,
  type JwksSource,
  type RejectionReason,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './verifier';
export {
  authenticateBearer,
  createTokenAuthorizer,
  type BearerAuthentication,
  type TokenAuthorizerOptions,
} from './authorizer';
export { callerFromBearer, verifierFromEnv, tokenAuthorizerFromEnv } from './from-env';
export { hashSecret, verifySecret, verifySecretOrDummy } from './secrets';
