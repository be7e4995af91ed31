import { randomBytes } from 'node:crypto';
import { EXPIRY_SHARDS } from '@pixelvault/core';
import { runCleanupWorker, takeExpiredFiles } from '../../../../tests/helpers/cleanup';
import { createTestTenant, systemDb } from '../../../../tests/helpers/identity';
import { storedFiles } from '../../../../tests/helpers/projects';
import { runJob } from '../../../../tests/helpers/system';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

interface SweepJobReport {
  partitions: number;
  found: number;
  lookbackHours: number;
  cutHours: number;
  sweptThrough: string | null;
}

const watermark = async (job: string) =>
  (await systemDb().entities.sweepWatermark.get({ job }).go({ consistent: true })).data?.sweptThrough;

describe("a sweep job's watermark", () => {
  it('finds, after the job was down for 5 days, a file that expired 4 days ago; the next run reads only recent hours', async () => {
    // Arrange: the job ran at `lastRun` (its first run), then not for 5 days; a file expired a day after it
    const { tenantId } = await createTestTenant();
    const owner = `session#${randomBytes(16).toString('base64url')}`;
    const lastRun = new Date(
      Date.UTC(2044, 2, 1) + Math.floor(Math.random() * 200 * 24) * HOUR + 20 * 60_000,
    );
    const [fileId] = await storedFiles(tenantId, owner, 1, 'pending', {
      expiresAt: new Date(lastRun.getTime() + DAY).toISOString(),
    });
    const first = await runJob<SweepJobReport>('expireFiles', lastRun);
    const now = new Date(lastRun.getTime() + 5 * DAY);

    // Act
    const afterOutage = await runJob<SweepJobReport>('expireFiles', now, { keepWatermark: true });
    const failures = await runCleanupWorker(await takeExpiredFiles(tenantId, 1));
    const rightAfter = await runJob<SweepJobReport>('expireFiles', new Date(now.getTime() + 60_000), {
      keepWatermark: true,
    });

    // Assert
    expect(first).toMatchObject({ found: 0, lookbackHours: 48, sweptThrough: expect.any(String) });
    // From the hour before the watermark (the one before lastRun's hour) up to now's hour
    expect(afterOutage).toMatchObject({ found: 1, lookbackHours: 5 * 24 + 2, cutHours: 0 });
    expect(failures).toEqual([]);
    expect((await systemDb().entities.file.get({ tenantId, fileId: fileId! }).go()).data).toBeNull();
    expect(rightAfter).toMatchObject({ found: 0, lookbackHours: 2, partitions: 3 * EXPIRY_SHARDS });
    expect(await watermark('expireFiles')).toBe(rightAfter.sweptThrough);
  });

  it('never moves back: a run with an earlier clock (an overlapping or replayed run) leaves the later watermark', async () => {
    // Arrange
    const later = new Date(Date.UTC(2045, 6, 1, 12, 30));
    const laterRun = await runJob<SweepJobReport>('expireFiles', later);

    // Act
    const earlierRun = await runJob<SweepJobReport>('expireFiles', new Date(later.getTime() - 3 * HOUR), {
      keepWatermark: true,
    });

    // Assert
    expect(laterRun.sweptThrough).toBe('2045-07-01T11');
    expect(earlierRun).toMatchObject({ lookbackHours: 48, sweptThrough: null });
    expect(await watermark('expireFiles')).toBe('2045-07-01T11');
  });
});
