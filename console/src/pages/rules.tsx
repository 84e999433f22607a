/** Event Rules: the list with region quota use, enable/disable, test send, delete. */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import type { RegionQuota, RuleView } from '../api';
import { useI18n } from '../i18n';
import type { Translate } from '../i18n';
import { hrefOf } from '../router';
import { ConfirmButton, DataTable, keepFocusNear, messageOf, NoticeLine, PageTitle } from '../ui';
import type { Notice } from '../ui';
import { rememberInstance } from './instances';

export function describeScope(rule: Pick<RuleView, 'scope'>, t: Translate): string {
  const scope = rule.scope;
  if (scope.type === 'INSTANCE') return t('scopeInstance');
  if (scope.type === 'NAMESPACE') return t('scopeNamespace', { list: scope.namespaces.join(', ') });
  return t('scopeRepo', { namespace: scope.namespace, list: scope.repoNames.join(', ') });
}

export function describeTarget(rule: Pick<RuleView, 'notify'>): string {
  const notify = rule.notify;
  return 'webhookUrl' in notify ? notify.webhookUrl : notify.url;
}

const shortType = (type: string) => type.slice(type.lastIndexOf(':') + 1);

/** A rule's circuit-breaker state as a badge (SPEC §13). */
export function HealthBadge({ health }: { health: RuleView['health'] }) {
  const { t } = useI18n();
  if (health.state === 'suspended') return <span class="badge badge-dead">{t('healthSuspended')}</span>;
  if (health.state === 'failing') return <span class="badge badge-failed">{t('healthFailing', { n: health.consecutiveFailures })}</span>;
  return <span class="badge badge-delivered">{t('healthHealthy')}</span>;
}

export function RulesPage({ instanceId }: { instanceId: string }) {
  const { t } = useI18n();
  const [rules, setRules] = useState<RuleView[] | undefined>();
  const [quotas, setQuotas] = useState<RegionQuota[]>([]);
  const [loadError, setLoadError] = useState<string | undefined>();
  const [notice, setNotice] = useState<Notice>();
  const [busy, setBusy] = useState<string | undefined>();

  async function load() {
    try {
      const page = await api.listRules(instanceId);
      setRules(page.rules);
      setQuotas(page.quotas);
      setLoadError(undefined);
      rememberInstance(instanceId);
    } catch (e) {
      setLoadError(messageOf(e));
    }
  }

  useEffect(() => {
    void load();
  }, [instanceId]);

  async function act(rule: RuleView, action: () => Promise<Notice>) {
    setBusy(rule.ruleId);
    try {
      setNotice(await action());
    } catch (e) {
      setNotice({ kind: 'error', text: e instanceof ApiError && e.status === 412 ? t('conflict') : t('errorGeneric', { message: messageOf(e) }) });
    } finally {
      setBusy(undefined);
      await load();
      keepFocusNear('rules-notice');
    }
  }

  const toggle = (rule: RuleView) =>
    act(rule, async () => {
      const saved = await api.updateRule(instanceId, rule.ruleId, { enabled: !rule.enabled }, `"${rule.version}"`);
      return { kind: 'ok', text: t('ruleSaved', { name: saved.ruleName }) };
    });
  const remove = (rule: RuleView) =>
    act(rule, async () => {
      await api.deleteRule(instanceId, rule.ruleId, `"${rule.version}"`);
      return { kind: 'ok', text: t('ruleDeleted', { name: rule.ruleName }) };
    });
  const resume = (rule: RuleView) =>
    act(rule, async () => {
      const result = await api.resumeRule(instanceId, rule.ruleId);
      return { kind: 'ok', text: t('ruleResumed', { name: rule.ruleName, n: result.requeued }) };
    });
  const test = (rule: RuleView) =>
    act(rule, async () => {
      const result = await api.testRule(instanceId, rule.ruleId);
      return result.outcome === 'delivered'
        ? { kind: 'ok', text: t('testDelivered', { name: rule.ruleName, status: result.httpStatus ?? '', ms: result.durationMs }) }
        : { kind: 'error', text: t('testFailed', { name: rule.ruleName, reason: result.error ?? (result.providerCode !== undefined ? `code ${result.providerCode}` : `HTTP ${result.httpStatus ?? '?'}`) }) };
    });

  return (
    <section>
      <PageTitle>{t('rulesTitle', { instanceId })}</PageTitle>
      <p>
        <a href={hrefOf({ page: 'ruleNew', instanceId })} role="button">
          {t('createRule')}
        </a>
      </p>
      {quotas.map((q) => (
        <p key={q.regionId} class="quota">
          <label>
            {t('quota', { regionId: q.regionId, used: q.used, limit: q.limit })}
            <progress value={q.used} max={q.limit} />
          </label>
        </p>
      ))}
      <NoticeLine notice={notice} id="rules-notice" />
      {loadError && (
        <p role="alert">
          {t('errorGeneric', { message: loadError })}{' '}
          <button type="button" class="secondary" onClick={() => void load()}>
            {t('retry')}
          </button>
        </p>
      )}
      {rules === undefined && !loadError && <p aria-busy="true">{t('loading')}</p>}
      {rules?.length === 0 && <p>{t('noRules')}</p>}
      {rules && rules.length > 0 && (
        <DataTable caption={t('eventRules')} columns={[t('colName'), t('colEventTypes'), t('colScope'), t('colTarget'), t('colStatus'), t('colHealth'), t('colActions')]}>
          {rules.map((rule) => (
            <tr key={rule.ruleId}>
              <th scope="row">
                {rule.ruleName}
                <br />
                <small>
                  <code>{rule.ruleId}</code> · {rule.regionId}
                </small>
              </th>
              <td>
                {rule.eventTypes.map(shortType).join(', ')}
                {rule.eventStatuses ? <small> ({rule.eventStatuses.join(', ')})</small> : null}
              </td>
              <td>
                {describeScope(rule, t)}
                {rule.tagPattern !== '.*' && (
                  <>
                    <br />
                    <small>
                      <code>{rule.tagPattern}</code>
                    </small>
                  </>
                )}
              </td>
              <td>
                {rule.notify.method}
                <br />
                <small class="target">{describeTarget(rule)}</small>
              </td>
              <td>
                <span class={rule.enabled ? 'badge badge-delivered' : 'badge badge-disabled'}>{rule.enabled ? t('enabled') : t('disabled')}</span>
              </td>
              <td>
                <HealthBadge health={rule.health} />
                <br />
                <small>{t('healthLast24h', { delivered: rule.health.last24h.delivered, failed: rule.health.last24h.failed, dead: rule.health.last24h.dead })}</small>
              </td>
              <td class="actions">
                {rule.health.state === 'suspended' && (
                  <button type="button" disabled={busy !== undefined} aria-label={`${t('resume')} ${rule.ruleName}`} onClick={() => void resume(rule)}>
                    {t('resume')}
                  </button>
                )}
                <a href={hrefOf({ page: 'ruleEdit', instanceId, ruleId: rule.ruleId })} aria-label={`${t('edit')} ${rule.ruleName}`}>
                  {t('edit')}
                </a>
                <button type="button" class="secondary outline" disabled={busy !== undefined} aria-label={`${rule.enabled ? t('disable') : t('enable')} ${rule.ruleName}`} onClick={() => void toggle(rule)}>
                  {rule.enabled ? t('disable') : t('enable')}
                </button>
                <button type="button" class="secondary outline" disabled={busy !== undefined} aria-busy={busy === rule.ruleId ? 'true' : undefined} aria-label={`${t('sendTest')} ${rule.ruleName}`} onClick={() => void test(rule)}>
                  {t('sendTest')}
                </button>
                <ConfirmButton
                  text={t('delete')}
                  label={`${t('delete')} ${rule.ruleName}`}
                  confirmText={t('confirmDelete', { name: rule.ruleName })}
                  cancelText={t('cancel')}
                  disabled={busy !== undefined}
                  onConfirm={() => void remove(rule)}
                />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
