import { z } from 'zod';

export const DEFAULT_SHARE_DAYS = 7;
export const MAX_SHARE_DAYS = 30;

export const createShareBody = z
  .object({ expiresInDays: z.number().int().min(1).max(MAX_SHARE_DAYS).default(DEFAULT_SHARE_DAYS) })
  .default({ expiresInDays: DEFAULT_SHARE_DAYS });

export const shareExpiry = (now: Date, days: number) =>
  new Date(now.getTime() + days * 24 * 3600 * 1000).toISOString();

/** The shop's page that opens a share; the token rides in the fragment, which browsers never send to servers. */
export function shareUrl(sharePageUrl: string, shareToken: string): string {
  const url = new URL(sharePageUrl);
  url.hash = new URLSearchParams({ share: shareToken }).toString();
  return url.toString();
}
