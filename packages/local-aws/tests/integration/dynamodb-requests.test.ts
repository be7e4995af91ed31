import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startLocalAws, type LocalAws } from '../../src';

let aws: LocalAws | undefined;

afterEach(async () => {
  await aws?.stop();
  aws = undefined;
});

const TABLE = 'counted';
const item = (id: string) => ({ pk: { S: id } });

describe('DynamoDB request counting', () => {
  it('counts requests by operation and the items they write, refused conditional writes too, from any client', async () => {
    // Arrange
    aws = await startLocalAws({ countDynamoDbRequests: true });
    // A client as a Lambda builds one: from the environment the stack hands to functions.
    const lambdaClient = new DynamoDBClient({
      endpoint: aws.lambdaEnvironment().AWS_ENDPOINT_URL_DYNAMODB,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    await aws.clients.dynamodb.send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );

    // Act
    await lambdaClient.send(new PutItemCommand({ TableName: TABLE, Item: item('a') }));
    const duplicate = lambdaClient.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: item('a'),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await expect(duplicate).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    await lambdaClient.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: TABLE, Item: item('b') } },
          { Put: { TableName: TABLE, Item: item('c') } },
          {
            ConditionCheck: { TableName: TABLE, Key: item('a'), ConditionExpression: 'attribute_exists(pk)' },
          },
        ],
      }),
    );
    await lambdaClient.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [TABLE]: [
            { PutRequest: { Item: item('d') } },
            { PutRequest: { Item: item('e') } },
            { DeleteRequest: { Key: item('b') } },
          ],
        },
      }),
    );
    const { Item: stored } = await lambdaClient.send(
      new GetItemCommand({ TableName: TABLE, Key: item('c') }),
    );
    lambdaClient.destroy();

    // Assert
    expect(stored).toStrictEqual(item('c'));
    expect(aws.dynamodbTraffic?.()).toStrictEqual({
      requests: { CreateTable: 1, PutItem: 2, TransactWriteItems: 1, BatchWriteItem: 1, GetItem: 1 },
      // 2 PutItem, 2 transactional Puts (the ConditionCheck writes nothing), 3 batch entries.
      itemWrites: 7,
    });
  });

  it('leaves DynamoDB Local unproxied and uncounted unless asked', async () => {
    // Act
    aws = await startLocalAws();

    // Assert
    expect(aws.dynamodbTraffic).toBeUndefined();
  });
});
