import { Entity } from 'electrodb';
import { isConditionalCheckFailed, updatedAtAttribute } from './shared';
import type { Db } from '.';

/** An expiry hour as the index buckets it: `2026-11-25T09`. */
const HOUR_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}$/;

/** Per sweep job, the last hour whose every expiry partition a run swept completely; one item per job. */
export const SweepWatermark = new Entity({
  model: { entity: 'sweepWatermark', service: 'pixelvault', version: '1' },
  attributes: {
    job: { type: 'string', required: true, readOnly: true, validate: /^[A-Za-z][A-Za-z0-9-]{0,62}$/ },
    sweptThrough: { type: 'string', required: true, validate: HOUR_PATTERN },
    updatedAt: updatedAtAttribute,
  },
  indexes: {
    byJob: {
      pk: { field: 'pk', composite: ['job'] },
      sk: { field: 'sk', composite: [] },
    },
  },
});

/** The job's watermark hour, or undefined before its first complete run. */
export async function readSweptThrough(db: Db, job: string): Promise<string | undefined> {
  const { data } = await db.entities.sweepWatermark.get({ job }).go({ consistent: true });
  return data?.sweptThrough;
}

/**
 * Sets the watermark to `hour`, never back: an overlapping run that started earlier (or a run replayed with
 * an older clock) leaves a later watermark as it is. False when a later one was there.
 */
export async function advanceSweptThrough(db: Db, job: string, hour: string): Promise<boolean> {
  try {
    await db.entities.sweepWatermark
      .update({ job })
      .set({ sweptThrough: hour })
      .where(
        ({ sweptThrough }, { notExists, lte }) => `${notExists(sweptThrough)} OR ${lte(sweptThrough, hour)}`,
      )
      .go();
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
