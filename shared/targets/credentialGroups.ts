/**
 * Which mail may travel together. Several rules may point at one bot (one mailbox, one
 * set of windows), yet each rule carries its own webhook URL and secret: a digest is sent
 * with one URL and signed with one secret, so it may only carry mail whose rules have
 * exactly those. Sealed values differ per rule even for equal plaintext (the seal context
 * names the rule), so mail is grouped by the opened credentials. Each distinct sealed pair
 * is opened once per flush, not once per mail item. The plaintext stays in memory here:
 * never logged, never returned, never stored.
 */
import type { MailItem } from '../services/chatbotPorts';
import type { SecretSealer } from '../services/secretSealerPort';
import { sealContext } from '../services/sealContext';

export interface Credentials {
  url: string;
  secret?: string | undefined;
}

export interface CredentialGroup {
  credentials: Credentials;
  /** In the order they were given. */
  items: MailItem[];
}

/** The sealed values a mail item carries: a rule's, unless the rule was edited while its mail waited. */
const sealedKeyOf = (m: MailItem) => JSON.stringify([m.instanceId, m.ruleId, m.sealedWebhookUrl, m.sealedSecret ?? null]);

async function openCredentials(sealer: SecretSealer, m: MailItem): Promise<Credentials> {
  const [url, secret] = await Promise.all([
    sealer.open(m.sealedWebhookUrl, sealContext(m.instanceId, m.ruleId, 'webhookUrl')),
    m.sealedSecret ? sealer.open(m.sealedSecret, sealContext(m.instanceId, m.ruleId, 'secret')) : undefined,
  ]);
  return { url, secret };
}

/**
 * Groups mail by its plaintext webhook URL and secret (no secret is a value of its own).
 * Groups come in the order of their first item, so with `mail` in event order the group
 * of the oldest waiting mail comes first.
 */
export async function groupByCredentials(sealer: SecretSealer, mail: MailItem[]): Promise<CredentialGroup[]> {
  const opened = new Map<string, Promise<Credentials>>();
  for (const m of mail) {
    const key = sealedKeyOf(m);
    if (!opened.has(key)) opened.set(key, openCredentials(sealer, m));
  }
  const credentialsOf = new Map<string, Credentials>();
  await Promise.all([...opened].map(async ([key, credentials]) => credentialsOf.set(key, await credentials)));
  const groups = new Map<string, CredentialGroup>();
  for (const m of mail) {
    const credentials = credentialsOf.get(sealedKeyOf(m));
    if (!credentials) continue; // every key was opened above
    const plain = JSON.stringify([credentials.url, credentials.secret ?? null]);
    const group = groups.get(plain);
    if (group) group.items.push(m);
    else groups.set(plain, { credentials, items: [m] });
  }
  return [...groups.values()];
}
