import { EXPIRY_SHARDS } from '../../src/entities';
import {
  DEFAULT_LOOKBACK_HOURS,
  MAX_LOOKBACK_HOURS,
  sweep,
  sweepPartitions,
  sweepWindow,
  sweptThroughAt,
  type SweepPorts,
} from '../../src/expiry-sweep';

const at = new Date('2026-11-25T08:30:00.000Z');

describe('sweepPartitions', () => {
  it('lists every shard of every hour of the window, oldest hour first, ending with the current hour', () => {
    // Act
    const partitions = sweepPartitions(at, 2);
    // Assert
    expect(partitions).toHaveLength(3 * EXPIRY_SHARDS);
    expect(partitions[0]).toBe('2026-11-25T06#0');
    expect(partitions[EXPIRY_SHARDS - 1]).toBe(`2026-11-25T06#${EXPIRY_SHARDS - 1}`);
    expect(partitions.at(-1)).toBe(`2026-11-25T08#${EXPIRY_SHARDS - 1}`);
    expect(new Set(partitions).size).toBe(partitions.length);
  });

  it('crosses midnight into the previous day', () => {
    // Act
    const partitions = sweepPartitions(new Date('2026-11-25T00:10:00.000Z'), 1);
    // Assert
    expect(partitions[0]).toBe('2026-11-24T23#0');
  });
});

describe('sweepWindow', () => {
  it('looks back the default 48 hours on a first run (no watermark)', () => {
    // Act
    const window = sweepWindow(at, undefined);
    // Assert
    expect(window).toEqual({ lookbackHours: DEFAULT_LOOKBACK_HOURS, cutHours: 0 });
  });

  it('sweeps from the hour before the watermark to now: a run right after a complete one reads three hours', () => {
    // Arrange: a run at 08:30 swept through 07; the next runs at 08:45
    const sweptThrough = sweptThroughAt(at);
    // Act
    const window = sweepWindow(new Date(at.getTime() + 15 * 60_000), sweptThrough);
    // Assert
    expect(sweptThrough).toBe('2026-11-25T07');
    expect(window).toEqual({ lookbackHours: 2, cutHours: 0 });
    expect(sweepPartitions(at, window.lookbackHours)[0]).toBe('2026-11-25T06#0');
  });

  it('reaches back over the days a job was down', () => {
    // Act: down five days since the run that swept through 07
    const window = sweepWindow(new Date('2026-11-30T08:30:00.000Z'), '2026-11-25T07');
    // Assert
    expect(window).toEqual({ lookbackHours: 5 * 24 + 2, cutHours: 0 });
  });

  it('stops at 31 days and says how many hours it left out', () => {
    // Act: down 40 days
    const window = sweepWindow(new Date('2027-01-04T07:30:00.000Z'), '2026-11-25T07');
    // Assert
    expect(window).toEqual({ lookbackHours: MAX_LOOKBACK_HOURS, cutHours: 40 * 24 + 1 - MAX_LOOKBACK_HOURS });
  });

  it('falls back to the default when the watermark is at or after now (a clock moved back)', () => {
    // Act
    const window = sweepWindow(at, '2026-11-25T08');
    // Assert
    expect(window).toEqual({ lookbackHours: DEFAULT_LOOKBACK_HOURS, cutHours: 0 });
  });
});

describe('sweep', () => {
  it('hands each page of each partition on as it is read, and counts pages, items and what was handled', async () => {
    // Arrange
    const pagesOf: Record<string, Array<Array<{ tenantId: string; fileId: string }>>> = {
      p1: [
        [
          { tenantId: 'a', fileId: '1' },
          { tenantId: 'b', fileId: '2' },
        ],
        [{ tenantId: 'a', fileId: '3' }],
      ],
      p2: [[]],
    };
    const handled: string[][] = [];
    const ports: SweepPorts<{ tenantId: string; fileId: string }> = {
      async forEachPage(partition, _now, onPage) {
        for (const page of pagesOf[partition]!) if (page.length > 0) await onPage(page);
        return pagesOf[partition]!.length;
      },
      async handle(_now, items) {
        handled.push(items.map((item) => item.fileId));
        return new Set(items.map((item) => item.tenantId)).size;
      },
      each: (work) => work(),
    };
    // Act
    const report = await sweep(at, ['p1', 'p2'], ports);
    // Assert
    expect(report).toEqual({ at: at.toISOString(), partitions: 2, pages: 3, found: 3, handled: 3 });
    expect(handled).toEqual([['1', '2'], ['3']]);
  });
});
