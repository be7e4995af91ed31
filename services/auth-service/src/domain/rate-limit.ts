/** The fixed one-minute window `now` falls in, and when its counter may be forgotten. */
export function minuteWindow(now: Date): { window: string; ttl: number; retryAfterSeconds: number } {
  const start = Math.floor(now.getTime() / 60_000) * 60_000;
  return {
    window: new Date(start).toISOString().slice(0, 16),
    ttl: Math.floor(start / 1000) + 60 + 3600,
    retryAfterSeconds: Math.max(1, Math.ceil((start + 60_000 - now.getTime()) / 1000)),
  };
}
