import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { recordConsumedCapacity } from './consumed-capacity';

/**
 * SDK clients shared by a Lambda's invocations. Endpoints come from the SDK's own AWS_ENDPOINT_URL_* variables,
 * which the local stack sets; S3 then needs path-style URLs because bucket host names don't resolve on 127.0.0.1.
 */
const s3PathStyle = () => Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);

let dynamo: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;
let selfVerifyingS3: S3Client | undefined;
let sqs: SQSClient | undefined;

export function dynamoDbClient(): DynamoDBDocumentClient {
  if (!dynamo) {
    dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    });
    dynamo.middlewareStack.add(recordConsumedCapacity as never, {
      step: 'initialize',
      name: 'pixelvaultConsumedCapacity',
    });
  }
  return dynamo;
}

// Presigned PUTs must not carry an SDK-added checksum of an empty body: real S3 rejects those uploads.
export const s3Client = () =>
  (s3 ??= new S3Client({ forcePathStyle: s3PathStyle(), requestChecksumCalculation: 'WHEN_REQUIRED' }));

/**
 * For a reader that hashes every byte it downloads itself (the upload processor checks each original's SHA-256
 * against the declaration): GetObject then skips the SDK's own checksum pass over the body, a second SHA-256
 * of every original. S3 verified that checksum when the object was stored.
 */
export const selfVerifyingS3Client = () =>
  (selfVerifyingS3 ??= new S3Client({
    forcePathStyle: s3PathStyle(),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  }));

export const sqsClient = () => (sqs ??= new SQSClient({}));
