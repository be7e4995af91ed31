/** A failure of the local stack that a developer can act on; the CLI prints its message alone and exits non-zero. */
export class LocalAwsError extends Error {
  override readonly name = 'LocalAwsError';
}
