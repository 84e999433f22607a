/** Operations (SPEC §13): the instance's alert target, and bulk redelivery of failed/dead deliveries. */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import type { AlertTarget, ErrorDetail, Notify, RuleView } from '../api';
import { useI18n } from '../i18n';
import { describedBy, errorsAt, FieldErrors, messageOf, NoticeLine, PageTitle, RuleSelect } from '../ui';
import type { Notice } from '../ui';

type AlertMethod = Notify['method'];
const METHODS: readonly AlertMethod[] = ['https', 'http', 'dingtalk', 'feishu', 'wecom', 'slack'];

function notifyOf(method: AlertMethod, url: string, secret: string): Notify {
  const webhookUrl = url.trim();
  const withSecret = secret.trim() !== '' ? { secret: secret.trim() } : {};
  switch (method) {
    case 'dingtalk':
    case 'feishu':
      return { method, webhookUrl, ...withSecret };
    case 'wecom':
    case 'slack':
      // The URL itself is the credential: no separate secret.
      return { method, webhookUrl };
    case 'http':
    case 'https':
      return { method, url: webhookUrl, ...withSecret };
  }
}

/** A datetime-local value (the browser's local time) as an ISO instant, or undefined when empty. */
function isoOf(local: string): string | undefined {
  if (local === '') return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function OperationsPage({ instanceId }: { instanceId: string }) {
  const { t } = useI18n();
  const [target, setTarget] = useState<AlertTarget | undefined | null>(null);
  const [rules, setRules] = useState<RuleView[]>([]);
  const [method, setMethod] = useState<AlertMethod>('https');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [details, setDetails] = useState<ErrorDetail[]>([]);
  const [notice, setNotice] = useState<Notice>();
  const [ruleId, setRuleId] = useState('');
  const [failed, setFailed] = useState(true);
  const [dead, setDead] = useState(true);
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [busy, setBusy] = useState(false);

  async function load() {
    try {
      const [current, page] = await Promise.all([api.getAlertTarget(instanceId), api.listRules(instanceId)]);
      setTarget(current);
      setRules(page.rules);
    } catch (e) {
      setNotice({ kind: 'error', text: t('errorGeneric', { message: messageOf(e) }) });
    }
  }

  useEffect(() => {
    void load();
  }, [instanceId]);

  async function saveTarget(event: SubmitEvent) {
    event.preventDefault();
    setDetails([]);
    try {
      setTarget(await api.putAlertTarget(instanceId, notifyOf(method, url, secret)));
      setSecret('');
      setNotice({ kind: 'ok', text: t('alertSaved') });
    } catch (e) {
      if (e instanceof ApiError && e.details.length > 0) setDetails(e.details);
      else setNotice({ kind: 'error', text: t('errorGeneric', { message: messageOf(e) }) });
    }
  }

  async function removeTarget() {
    try {
      await api.deleteAlertTarget(instanceId);
      setTarget(undefined);
      setNotice({ kind: 'ok', text: t('alertRemoved') });
    } catch (e) {
      setNotice({ kind: 'error', text: t('errorGeneric', { message: messageOf(e) }) });
    }
  }

  async function redeliver(event: SubmitEvent) {
    event.preventDefault();
    const states = [...(failed ? (['failed'] as const) : []), ...(dead ? (['dead'] as const) : [])];
    if (states.length === 0) return;
    setBusy(true);
    try {
      const sinceIso = isoOf(since);
      const untilIso = isoOf(until);
      const result = await api.bulkRedeliver(instanceId, {
        states,
        ...(ruleId !== '' ? { ruleId } : {}),
        ...(sinceIso ? { since: sinceIso } : {}),
        ...(untilIso ? { until: untilIso } : {}),
      });
      setNotice({ kind: 'ok', text: t('bulkDone', { n: result.requeued }) });
    } catch (e) {
      setNotice({ kind: 'error', text: t('errorGeneric', { message: messageOf(e) }) });
    } finally {
      setBusy(false);
    }
  }

  const urlPath = method === 'dingtalk' ? 'notify.webhookUrl' : 'notify.url';
  const urlErrors = errorsAt(details, urlPath);
  const secretErrors = errorsAt(details, 'notify.secret');
  const current = target?.notify;

  return (
    <section>
      <PageTitle>{t('operationsTitle', { instanceId })}</PageTitle>
      <NoticeLine notice={notice} />
      <form onSubmit={(e) => void saveTarget(e)} noValidate aria-labelledby="alerts-heading">
        <h2 id="alerts-heading">{t('alertTarget')}</h2>
        <p>{t('alertTargetHelp')}</p>
        {target === null && <p aria-busy="true">{t('loading')}</p>}
        {target === undefined && <p>{t('alertNone')}</p>}
        {current && <p>{t('alertCurrent', { method: current.method, target: 'webhookUrl' in current ? current.webhookUrl : current.url })}</p>}
        <div class="grid">
          <div>
            <label for="alert-method">{t('alertMethod')}</label>
            <select id="alert-method" value={method} onChange={(e) => setMethod(METHODS.find((m) => m === e.currentTarget.value) ?? 'https')}>
              {METHODS.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for={describedBy(urlPath, urlErrors).id}>{t('alertUrl')}</label>
            <input value={url} onInput={(e) => setUrl(e.currentTarget.value)} autocomplete="off" {...describedBy(urlPath, urlErrors)} />
            <FieldErrors path={urlPath} errors={urlErrors} />
          </div>
          <div>
            <label for={describedBy('notify.secret', secretErrors).id}>{t('alertSecret')}</label>
            <input type="password" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} autocomplete="off" {...describedBy('notify.secret', secretErrors)} />
            <FieldErrors path="notify.secret" errors={secretErrors} />
          </div>
        </div>
        <button type="submit">{t('saveAlertTarget')}</button>{' '}
        {current && (
          <button type="button" class="secondary outline" onClick={() => void removeTarget()}>
            {t('removeAlertTarget')}
          </button>
        )}
      </form>
      <form onSubmit={(e) => void redeliver(e)} aria-labelledby="bulk-heading">
        <h2 id="bulk-heading">{t('bulkRedeliver')}</h2>
        <p>{t('bulkHelp')}</p>
        <div class="grid">
          <RuleSelect id="bulk-rule" label={t('bulkRule')} anyLabel={t('bulkAllRules')} value={ruleId} onChange={setRuleId} rules={rules} />
          <fieldset>
            <legend>{t('bulkStates')}</legend>
            <label>
              <input type="checkbox" checked={failed} onChange={(e) => setFailed(e.currentTarget.checked)} /> {t('stateFailed')}
            </label>
            <label>
              <input type="checkbox" checked={dead} onChange={(e) => setDead(e.currentTarget.checked)} /> {t('stateDead')}
            </label>
          </fieldset>
          <div>
            <label for="bulk-since">{t('bulkSince')}</label>
            <input id="bulk-since" type="datetime-local" value={since} onInput={(e) => setSince(e.currentTarget.value)} />
          </div>
          <div>
            <label for="bulk-until">{t('bulkUntil')}</label>
            <input id="bulk-until" type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
          </div>
        </div>
        <button type="submit" disabled={busy || (!failed && !dead)} aria-busy={busy ? 'true' : undefined}>
          {t('bulkSubmit')}
        </button>
      </form>
    </section>
  );
}
