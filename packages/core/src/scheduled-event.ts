/** The part of an EventBridge Scheduled Event a job reads: its `time` is the job's "now". */
export interface ScheduledEvent {
  time?: string;
}

/** A job's clock: the schedule's event time, so a run can be replayed or moved in time (`pnpm job --now`). */
export function scheduledTime(
  event: ScheduledEvent | undefined,
  fallback: () => Date = () => new Date(),
): Date {
  const time = event?.time ? new Date(event.time) : fallback();
  if (Number.isNaN(time.getTime())) throw new Error(`Scheduled event time "${event?.time}" is not a date`);
  return time;
}
