import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { LOCAL_CREDENTIALS, LOCAL_HOST, LOCAL_REGION } from './constants';
import { startDynamoDbLocal } from './dynamodb';
import { startDynamoDbRequestCounter, type DynamoDbTraffic } from './dynamodb-requests';
import { allStarted, Stoppers } from './all-started';
import { LocalAwsError } from './errors';
import { assertPortFree } from './ports';
import { startS3Fidelity } from './s3-fidelity';

export interface LocalAwsOptions {
  /** Persist DynamoDB tables and S3 objects here (SQS stays in memory, see DESIGN pitfalls); throw-away when omitted. */
  dataDir?: string;
  /** Fixed ports for `pnpm dev`; random free ports when omitted, so parallel test runs never clash. */
  ports?: { dynamodb?: number; sqs?: number; s3?: number };
  /** Called when a child process of the stack dies on its own; `pnpm dev` then stops with that sentence. */
  onCrash?: (message: string) => void;
  /** Put a request-counting proxy in front of DynamoDB Local (for benchmarks); see `LocalAws.dynamodbTraffic`. */
  countDynamoDbRequests?: boolean;
}

export interface LocalAwsEndpoints {
  dynamodb: string;
  sqs: string;
  /** The S3 fidelity layer in front of fauxqs; never fauxqs's S3 directly. */
  s3: string;
}

export interface LocalAws {
  region: string;
  endpoints: LocalAwsEndpoints;
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient; s3: S3Client };
  /** What the SDK inside a local Lambda needs to reach this stack. */
  lambdaEnvironment(): Record<string, string>;
  /** DynamoDB requests and item writes since start, from every client; only with `countDynamoDbRequests`. */
  dynamodbTraffic?: () => DynamoDbTraffic;
  stop(): Promise<void>;
}

/** fauxqs needs node:sqlite and the Lambdas run on nodejs22.x; the repo pins Node 22 where the npm registry has it. */
function assertNode22(): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) {
    throw new LocalAwsError(
      `Node 22 or newer is required, but this is Node ${process.versions.node}; run through pnpm (it uses the pinned Node 22) or install Node 22.`,
    );
  }
}

export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  assertNode22();
  const { dataDir, ports = {} } = options;
  if (ports.sqs) await assertPortFree(ports.sqs, 'fauxqs (SQS)');
  const stoppers = new Stoppers();
  const stop = () => stoppers.stopAll();
  try {
    const s3StorageDir = dataDir ? path.join(dataDir, 's3') : undefined;
    if (s3StorageDir) mkdirSync(s3StorageDir, { recursive: true });
    const [dynamodb, fauxqs] = await allStarted([
      startDynamoDbLocal({
        port: ports.dynamodb,
        dataDir: dataDir && path.join(dataDir, 'dynamodb'),
        onCrash: options.onCrash,
      }).then(stoppers.add),
      startFauxqs({ port: ports.sqs ?? 0, logger: false, defaultRegion: LOCAL_REGION, s3StorageDir }).then(
        stoppers.add,
      ),
    ]);

    const sqsEndpoint = `http://${LOCAL_HOST}:${fauxqs.port}`;
    const sqs = new SQSClient({
      endpoint: sqsEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    if (ports.s3) await assertPortFree(ports.s3, 'the S3 endpoint');
    const s3Fidelity = await startS3Fidelity({ upstream: sqsEndpoint, sqs, port: ports.s3 });
    stoppers.add(s3Fidelity);

    const counter = options.countDynamoDbRequests
      ? stoppers.add(await startDynamoDbRequestCounter(dynamodb.endpoint))
      : undefined;
    const endpoints = {
      dynamodb: counter?.endpoint ?? dynamodb.endpoint,
      sqs: sqsEndpoint,
      s3: s3Fidelity.endpoint,
    };
    const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const clients = {
      dynamodb: new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
      sqs,
      s3: new S3Client({
        ...common,
        endpoint: endpoints.s3,
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
      }),
    };
    stoppers.add({ stop: () => Object.values(clients).forEach((client) => client.destroy()) });

    return {
      region: LOCAL_REGION,
      endpoints,
      clients,
      lambdaEnvironment: () => ({
        AWS_REGION: LOCAL_REGION,
        AWS_DEFAULT_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
        AWS_ENDPOINT_URL_SQS: endpoints.sqs,
        AWS_ENDPOINT_URL_S3: endpoints.s3,
      }),
      ...(counter && { dynamodbTraffic: counter.traffic }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
