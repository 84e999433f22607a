/**
 * Seals rule secrets with the local master key when configured, else with KMS.
 *
 * The KMS client is imported statically although only sealing and unsealing use it:
 * behind a dynamic import() the package's barrel index pulls the whole client into the
 * bundle (51 KB instead of 27 KB), and V8 still parses lazily loaded code, so measured,
 * the lazy variant imported no faster than evaluating the tree-shaken client up front.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { kmsSealer } from '../adapters/crypto/kmsSealer';
import { localKeySealer } from '../adapters/crypto/secretSealer';
import type { SecretSealer } from '../adapters/crypto/secretSealer';
import type { Config } from '../config';

export function createSealer(config: Config): SecretSealer {
  if (config.secretsKey) return localKeySealer(config.secretsKey);
  return kmsSealer({ keyId: config.secretsKmsKeyId, client: new KMSClient({ region: config.awsRegion }) });
}
