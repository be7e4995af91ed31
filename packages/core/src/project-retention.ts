/** Days a project stays after its last save when the tenant sets nothing else. */
export const DEFAULT_RETENTION_DAYS = { guest: 30, user: 365 } as const;

export interface RetentionSettings {
  guestProjectRetentionDays?: number;
  userProjectRetentionDays?: number;
}

/**
 * When a project saved (or, for a claimed one, moved to its user) `now` by `owner` expires: the tenant's retention
 * for guests or users, from now. The project service's saves and the scheduler's claims share it.
 */
export function projectExpiry(owner: string, settings: RetentionSettings | undefined, now: Date): string {
  const days = owner.startsWith('user#')
    ? (settings?.userProjectRetentionDays ?? DEFAULT_RETENTION_DAYS.user)
    : (settings?.guestProjectRetentionDays ?? DEFAULT_RETENTION_DAYS.guest);
  return new Date(now.getTime() + days * 24 * 3600 * 1000).toISOString();
}
