/** SQS client for the configured endpoint (the local emulator when set). */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../../config';

export function createSqsClient(config: Pick<Config, 'sqsEndpoint' | 'awsRegion'>): SQSClient {
  return new SQSClient({
    region: config.awsRegion,
    ...(config.sqsEndpoint
      ? { endpoint: config.sqsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    maxAttempts: 3,
  });
}
