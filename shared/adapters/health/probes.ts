/**
 * Health probes of the table and the queue: one metadata call each (DescribeTable,
 * GetQueueAttributes), no data read, one attempt (the caller bounds the time).
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../../config';
import type { HealthProbe } from '../../services/health';

type ProbeConfig = Pick<Config, 'awsRegion' | 'dynamodbEndpoint' | 'sqsEndpoint' | 'tableName' | 'queueUrl'>;

const local = { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

export function healthProbes(config: ProbeConfig): HealthProbe[] {
  const dynamo = new DynamoDBClient({ region: config.awsRegion, maxAttempts: 1, ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint, ...local } : {}) });
  const sqs = new SQSClient({ region: config.awsRegion, maxAttempts: 1, ...(config.sqsEndpoint ? { endpoint: config.sqsEndpoint, ...local } : {}) });
  return [
    {
      part: 'table',
      async check() {
        const out = await dynamo.send(new DescribeTableCommand({ TableName: config.tableName }));
        if (out.Table?.TableStatus !== 'ACTIVE' && out.Table?.TableStatus !== 'UPDATING') throw new Error(`table is ${out.Table?.TableStatus ?? 'unknown'}`);
      },
    },
    {
      part: 'queue',
      async check() {
        await sqs.send(new GetQueueAttributesCommand({ QueueUrl: config.queueUrl, AttributeNames: ['QueueArn'] }));
      },
    },
  ];
}
