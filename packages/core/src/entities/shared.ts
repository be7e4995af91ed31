/** Attribute definitions and helpers every entity shares. */

/** Lower-case slug, 2..40 characters, no leading or trailing hyphen. */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$/;

/** Random ids we issue (base64url or uuid); the pattern also keeps key delimiters out of keys. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export const nowIso = () => new Date().toISOString();

export const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Date.prototype.toISOString's format; a RegExp validator (unlike a function) lets optional attributes be absent. */
export const ISO_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const tenantIdAttribute = {
  type: 'string',
  required: true,
  readOnly: true,
  validate: TENANT_ID_PATTERN,
} as const;

export const createdAtAttribute = {
  type: 'string',
  required: true,
  readOnly: true,
  default: nowIso,
} as const;

// watch '*' makes ElectroDB call `set` on every put, create, update and patch. A write may pass its own time
// (inside a transaction, so the caller knows what it wrote without reading it back).
export const updatedAtAttribute = {
  type: 'string',
  required: true,
  watch: '*',
  default: nowIso,
  set: (given?: string) => given ?? nowIso(),
} as const;

/** ElectroDB wraps the SDK error: a failed write condition shows as its cause. */
export const isConditionalCheckFailed = (error: unknown) =>
  (error as { cause?: { name?: string } } | null)?.cause?.name === 'ConditionalCheckFailedException';
