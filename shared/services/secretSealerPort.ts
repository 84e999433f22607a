/** Sealing secrets at rest, as the rule and delivery services use it; shared/adapters/crypto implements it (local key, KMS). */
export interface SecretSealer {
  /** Encrypts plaintext; `context` (e.g. "rule:<instanceId>:<ruleId>:secret") is bound as AAD / KMS encryption context so a sealed value cannot be moved to another record. */
  seal(plaintext: string, context: string): Promise<string>;
  open(sealed: string, context: string): Promise<string>;
}
