/**
 * Mail of rules sharing a bot is grouped by its opened webhook URL and secret: equal
 * plaintext merges even though each rule's sealed values differ, different secrets never
 * share a message, and each rule's sealed values are opened once however much mail it has.
 */
import { describe, expect, it } from 'vitest';
import type { MailItem } from '../../shared/services/chatbotPorts';
import type { SecretSealer } from '../../shared/services/secretSealerPort';
import { sealContext } from '../../shared/services/sealContext';
import { groupByCredentials } from '../../shared/targets/credentialGroups';

/** Sealed values carry their context, like the real sealers' AAD, so equal plaintext seals differently per rule. */
function fakeSealer() {
  const opened: string[] = [];
  const sealer: SecretSealer = {
    seal: async (plaintext, context) => `sealed:${context}:${Buffer.from(plaintext).toString('base64')}`,
    open: async (sealed, context) => {
      opened.push(context);
      const prefix = `sealed:${context}:`;
      if (!sealed.startsWith(prefix)) throw new Error('wrong context');
      return Buffer.from(sealed.slice(prefix.length), 'base64').toString();
    },
  };
  return { sealer, opened };
}

const URL = 'https://open.feishu.cn/open-apis/bot/v2/hook/signed-bot';

async function mailOf(sealer: SecretSealer, ruleId: string, count: number, secret: string | undefined, url = URL): Promise<MailItem[]> {
  const sealedWebhookUrl = await sealer.seal(url, sealContext('cri-1', ruleId, 'webhookUrl'));
  const sealedSecret = secret !== undefined ? await sealer.seal(secret, sealContext('cri-1', ruleId, 'secret')) : undefined;
  return Array.from({ length: count }, (_, i) => ({
    deliveryId: `dlv-${ruleId}-${i}`,
    eventId: `evt-${i}`,
    ruleId,
    instanceId: 'cri-1',
    enqueuedAt: i,
    line: { eventId: `evt-${i}`, eventType: 'cr:Artifact:ScanCompleted', status: 'FAILED', instanceId: 'cri-1', regionId: 'cn-hangzhou', namespace: 'a', repoName: 'b', tag: 't', time: '2026-11-20T08:00:00Z', ruleName: ruleId },
    sealedWebhookUrl,
    ...(sealedSecret ? { sealedSecret } : {}),
  }));
}

const idsOf = (items: MailItem[]) => items.map((m) => m.deliveryId);

describe('groupByCredentials', () => {
  it('keeps rules with different secrets apart, in the order of their first mail', async () => {
    const { sealer } = fakeSealer();
    const bad = await mailOf(sealer, 'bad', 3, 'wrong-secret');
    const ok = await mailOf(sealer, 'ok', 3, 'local-feishu-secret');
    const groups = await groupByCredentials(sealer, [bad[0], ok[0], ok[1], bad[1], ok[2], bad[2]] as MailItem[]);
    expect(groups.map((g) => g.credentials)).toEqual([
      { url: URL, secret: 'wrong-secret' },
      { url: URL, secret: 'local-feishu-secret' },
    ]);
    expect(groups.map((g) => idsOf(g.items))).toEqual([idsOf(bad), idsOf(ok)]);
  });

  it('merges rules with the same URL and secret, and rules that both have none; a secret and none differ', async () => {
    const { sealer } = fakeSealer();
    const a = await mailOf(sealer, 'a', 2, 's3cret');
    const b = await mailOf(sealer, 'b', 2, 's3cret');
    const c = await mailOf(sealer, 'c', 1, undefined);
    const d = await mailOf(sealer, 'd', 1, undefined);
    expect(a[0]?.sealedSecret).not.toBe(b[0]?.sealedSecret);
    const groups = await groupByCredentials(sealer, [...a, ...b, ...c, ...d]);
    expect(groups.map((g) => idsOf(g.items))).toEqual([[...idsOf(a), ...idsOf(b)], [...idsOf(c), ...idsOf(d)]]);
    expect(groups[1]?.credentials).toEqual({ url: URL, secret: undefined });
  });

  it('opens each rule’s sealed values once, however much mail it has', async () => {
    const { sealer, opened } = fakeSealer();
    const mail = [...(await mailOf(sealer, 'a', 20, 's3cret')), ...(await mailOf(sealer, 'b', 20, undefined))];
    await groupByCredentials(sealer, mail);
    expect(opened.sort()).toEqual([sealContext('cri-1', 'a', 'secret'), sealContext('cri-1', 'a', 'webhookUrl'), sealContext('cri-1', 'b', 'webhookUrl')]);
  });
});
