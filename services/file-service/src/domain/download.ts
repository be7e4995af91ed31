import {
  ApiError,
  badRequest,
  FILE_OBJECTS,
  notFound,
  type FileItem,
  type FileObject,
} from '@pixelvault/core';

/** Download URLs live 5 minutes: long enough to start a download, too short to be worth sharing. */
export const DOWNLOAD_URL_TTL_SECONDS = 5 * 60;

/** `?variant=` of GET /v1/files/{id}/download: `original` when absent. */
export function parseVariant(query: Record<string, string | undefined> | null): FileObject {
  const variant = query?.variant ?? 'original';
  if (!(FILE_OBJECTS as readonly string[]).includes(variant)) {
    const reason = `must be one of ${FILE_OBJECTS.join(', ')}`;
    throw badRequest(`Invalid query: variant: ${reason}`, [{ field: 'variant', reason }]);
  }
  return variant as FileObject;
}

/** What a presigned GET serves: the object and the response headers S3 is told to send with it. */
export interface DownloadTarget {
  key: string;
  contentDisposition: string;
  /** Variants only: the original keeps the Content-Type it was uploaded with. */
  contentType?: string;
}

/**
 * The original downloads as an attachment under the user's (sanitized) file name; variants are renderings for
 * the screen, served inline as `<name>-<variant>.webp`. Only `ready` files have anything to download.
 */
export function downloadTarget(file: FileItem, variant: FileObject): DownloadTarget {
  if (file.state !== 'ready') {
    throw new ApiError(409, 'not_ready', `File is ${file.state}, not ready for download`, {
      state: file.state,
    });
  }
  const name = safeFileName(file.name);
  if (variant === 'original') {
    return { key: file.objectKey!, contentDisposition: contentDisposition('attachment', name) };
  }
  const stored = file.variants?.[variant];
  if (stored === undefined) throw notFound('Variant');
  return {
    key: stored.key,
    contentDisposition: contentDisposition('inline', `${stemOf(name)}-${variant}.webp`),
    contentType: stored.contentType,
  };
}

// Control characters (C0, DEL, C1), line and paragraph separators, and bidi controls that could disguise an
// extension ("photo\u202Egpj.exe"), plus quotes that would end a quoted-string.
const INVISIBLE_OR_QUOTE = /[\p{Cc}\p{Zl}\p{Zp}\u200e\u200f\u202a-\u202e\u2066-\u2069"]/gu;
// Characters Windows refuses in file names.
const RESERVED = /[<>:|?*]/g;
const MAX_NAME_LENGTH = 150;
const FALLBACK_NAME = 'download';

/**
 * A file name safe to hand to a browser: the last path segment only (`../` and `\` go), no control, bidi or
 * quote characters, no leading dots, at most 150 characters with the extension kept; `download` when nothing
 * is left.
 */
export function safeFileName(name: string): string {
  const lastSegment = name.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = lastSegment
    .replace(INVISIBLE_OR_QUOTE, '')
    .replace(RESERVED, '_')
    .replace(/\s+/gu, ' ')
    .replace(/^[\s.]+|[\s.]+$/gu, '');
  const characters = [...cleaned];
  if (characters.length === 0) return FALLBACK_NAME;
  if (characters.length <= MAX_NAME_LENGTH) return cleaned;
  const extension = /\.[^.]{1,10}$/u.exec(cleaned)?.[0] ?? '';
  return characters.slice(0, MAX_NAME_LENGTH - [...extension].length).join('') + extension;
}

/** The name without its extension (`holiday.jpg` -> `holiday`); a name that is all extension keeps it. */
const stemOf = (name: string) => name.replace(/(?<=.)\.[^.]*$/u, '');

/** The ASCII stand-in for old user agents: accents dropped, anything else outside printable ASCII (and %) as `_`. */
const asciiFallback = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]|[%\\"]/g, '_');

/** RFC 8187 `attr-char` is narrower than encodeURIComponent's unreserved set: ' ( ) * must be escaped too. */
const extValue = (name: string) =>
  encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** RFC 6266: `filename` (ASCII fallback) for every user agent, `filename*` (UTF-8) for the ones that know it. */
export const contentDisposition = (type: 'attachment' | 'inline', safeName: string) =>
  `${type}; filename="${asciiFallback(safeName)}"; filename*=UTF-8''${extValue(safeName)}`;
