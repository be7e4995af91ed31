import { createHash } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/constants';
import { startS3Fidelity, type S3Fidelity } from '../../src/s3-fidelity';
import { startFauxqsProcess, uniqueName } from '../helpers/s3-fidelity-stack';

// Its own file, so its own worker: freed memory mostly stays in a process and would hide a later upload's footprint.
const MiB = 1024 * 1024;

describe('PutObject memory', () => {
  /** Reused 1 MiB blocks: the test client streams its body without holding it. */
  const blocks = [1, 2, 3].map((fill) => Buffer.alloc(MiB, fill));
  const chunks = function* (mebibytes: number) {
    for (let index = 0; index < mebibytes; index++) yield blocks[index % blocks.length]!;
  };

  let fauxqs: Awaited<ReturnType<typeof startFauxqsProcess>>;
  let proxy: S3Fidelity;
  let s3: S3Client;
  let sqs: SQSClient;

  beforeAll(async () => {
    fauxqs = await startFauxqsProcess();
    const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    sqs = new SQSClient({ ...clientConfig, endpoint: fauxqs.endpoint });
    proxy = await startS3Fidelity({ upstream: fauxqs.endpoint, sqs });
    s3 = new S3Client({ ...clientConfig, endpoint: proxy.endpoint, forcePathStyle: true });
  });

  afterAll(async () => {
    s3.destroy();
    sqs.destroy();
    await proxy.stop();
    await fauxqs.stop();
  });

  async function streamPut(bucket: string, key: string, mebibytes: number): Promise<number | undefined> {
    const sha256 = createHash('sha256');
    for (const chunk of chunks(mebibytes)) sha256.update(chunk);
    const command = new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      ContentLength: mebibytes * MiB,
      ChecksumSHA256: sha256.digest('base64'),
    });
    const url = new URL(await getSignedUrl(s3, command, { expiresIn: 60 }));
    const request = http.request(url, { method: 'PUT', headers: { 'content-length': mebibytes * MiB } });
    const response = new Promise<http.IncomingMessage>((resolve) => request.on('response', resolve));
    await pipeline(Readable.from(chunks(mebibytes)), request);
    (await response).resume();
    return (await response).statusCode;
  }

  it('keeps the RSS growth during a 100 MiB upload well below the body size', async () => {
    // Arrange: a small upload in parts warms up the code paths.
    const bucket = uniqueName('bucket');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await streamPut(bucket, 'warm-up.tif', 9);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);

    // Act
    const status = await streamPut(bucket, 'scan.tif', 100).finally(() => clearInterval(sampler));

    // Assert
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(status).toBe(200);
    expect((peak - before) / MiB).toBeLessThan(48);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'scan.tif' }));
    expect(head.ContentLength).toBe(100 * MiB);
  });
});
