import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveServiceConfig } from '../../src/system/service-config';

const serviceDir = path.resolve(__dirname, '../../../../services/scheduler-service');
const params = {
  tableName: 't',
  tableArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/t',
  postUploadQueueUrl: 'http://q/1',
  postUploadQueueArn: 'arn:aws:sqs:us-east-1:000000000000:q1',
  postUploadDlqUrl: 'http://q/2',
  postUploadDlqArn: 'arn:aws:sqs:us-east-1:000000000000:q2',
  cleanupQueueUrl: 'http://q/3',
  cleanupQueueArn: 'arn:aws:sqs:us-east-1:000000000000:q3',
  cleanupDlqUrl: 'http://q/4',
  cleanupDlqArn: 'arn:aws:sqs:us-east-1:000000000000:q4',
  bucketName: 'b',
  bucketArn: 'arn:aws:s3:::b',
};

describe('resolved service config cache', () => {
  it('answers a repeated resolution from the cache, and resolves again when params change', async () => {
    // Arrange
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'service-config-'));
    // Act
    const printStarted = performance.now();
    const printed = await resolveServiceConfig(serviceDir, 'cachetest', 'us-east-1', params, cacheDir);
    const printMs = performance.now() - printStarted;
    const cachedStarted = performance.now();
    const cached = await resolveServiceConfig(serviceDir, 'cachetest', 'us-east-1', params, cacheDir);
    const cachedMs = performance.now() - cachedStarted;
    const changed = await resolveServiceConfig(
      serviceDir,
      'cachetest',
      'us-east-1',
      { ...params, tableName: 'other' },
      cacheDir,
    );
    // Assert
    expect(cached).toEqual(printed);
    expect(cachedMs).toBeLessThan(printMs / 10);
    expect(printed.functions.reportQueueDepths?.name).toBe(
      'pixelvault-scheduler-service-cachetest-reportQueueDepths',
    );
    expect(
      (changed as unknown as { provider: { environment: Record<string, string> } }).provider.environment
        .TABLE_NAME,
    ).toBe('other');
    expect(readdirSync(cacheDir)).toEqual(['scheduler-service.cachetest.json']);
  });
});
