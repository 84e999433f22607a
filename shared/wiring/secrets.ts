/** Seals rule secrets with the local master key when configured, else with KMS. */
import { KMSClient } from '@aws-sdk/client-kms';
import { kmsSealer, localKeySealer } from '../adapters/crypto/secretSealer';
import type { SecretSealer } from '../adapters/crypto/secretSealer';
import type { Config } from '../config';

export function createSealer(config: Config): SecretSealer {
  if (config.secretsKey) return localKeySealer(config.secretsKey);
  return kmsSealer({ keyId: config.secretsKmsKeyId, client: new KMSClient({ region: config.awsRegion }) });
}
