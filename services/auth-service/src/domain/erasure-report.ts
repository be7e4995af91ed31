import { ERASURE_COUNTS, type ErasureItem } from '@pixelvault/core';

/** An erasure as the partner reads it: its state and the counts of what it removed (and kept). */
export const erasureReport = (erasure: ErasureItem) => ({
  userId: erasure.userId,
  state: erasure.state,
  requestedAt: erasure.requestedAt,
  ...(erasure.finishedAt === undefined ? {} : { finishedAt: erasure.finishedAt }),
  // `?? 0`: reports written before a count existed lack it.
  counts: Object.fromEntries(ERASURE_COUNTS.map((count) => [count, erasure[count] ?? 0])),
});
