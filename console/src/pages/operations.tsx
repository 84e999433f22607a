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

/** Where the API names the URL field of a notify block: chat methods call it webhookUrl. */
const urlPathOf = (method: AlertMethod) => (method === 'http' || method === 'https' ? 'notify.url' : 'notify.webhookUrl');

/** A datetime-local value (the browser's local time) as an ISO instant, or undefined when empty. */
function isoOf(local: string): string | undefined {
  if (local === '') return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function OperationsPage({ instanceId }: { instanceId: string }) {
  const { t } = useI18n();
  /** null: loading; undefined: none; 'forbidden': this key may not see it (it needs rules:write). */
  const [target, setTarget] = useState<AlertTarget | undefined | null | 'forbidden'>(null);
  const [rules, setRules] = useState<RuleView[]>([]);
  const [method, setMethod] = useState<AlertMethod>('https');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [details, setDetails] = useState<ErrorDetail[]>([]);
  const [bulkDetails, setBulkDetails] = useState<ErrorDetail[]>([]);
  const [notice, setNotice] = useState<Notice>();
  const [ruleId, setRuleId] = useState('');
  const [failed, setFailed] = useState(true);
  const [dead, setDead] = useState(true);
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [busy, setBusy] = useState(false);
  const urlPath = urlPathOf(method);

  /** The alert target and the rule list load apart: a key may read rules without being allowed the alert target. */
  function load() {
    api
      .getAlertTarget(instanceId)
      .then(setTarget)
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 403) setTarget('forbidden');
        else {
          setTarget(undefined);
          setNotice({ kind: 'error', text: t('errorGeneric', { message: messageOf(e) }) });
        }
      });
    api
      .listRules(instanceId)
      .then((page) => setRules(page.rules))
      .catch(() => setRules([]));
  }

  useEffect(() => {
    load();
  }, [instanceId]);

  async function saveTarget(event: SubmitEvent) {
    event.preventDefault();
    setDetails([]);
    try {
      setTarget(await api.putAlertTarget(instanceId, notifyOf(method, url, secret)));
      setSecret('');
      setNotice({ kind: 'ok', text: t('alertSaved') });
    } catch (e) {
      const fieldDetails = e instanceof ApiError ? e.details : [];
      setDetails(fieldDetails);
      // Field errors show at their fields; anything no field shows is said above the form.
      const shown = fieldDetails.filter((d) => d.path === urlPath || d.path === 'notify.secret');
      if (shown.length === 0 || shown.length < fieldDetails.length) setNotice({ kind: 'error', text: t('errorGeneric', { message: messageOf(e) }) });
      else setNotice(undefined);
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
    setBulkDetails([]);
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
      const fieldDetails = e instanceof ApiError ? e.details : [];
      setBulkDetails(fieldDetails);
      if (!fieldDetails.some((d) => d.path === 'since' || d.path === 'until')) setNotice({ kind: 'error', text: t('errorGeneric', { message: messageOf(e) }) });
      else setNotice(undefined);
    } finally {
      setBusy(false);
    }
  }

  const urlErrors = errorsAt(details, urlPath);
  const secretErrors = errorsAt(details, 'notify.secret');
  const sinceErrors = errorsAt(bulkDetails, 'since');
  const untilErrors = errorsAt(bulkDetails, 'until');
  const current = target === null || target === undefined || target === 'forbidden' ? undefined : target.notify;

  return (
    <section>
      <PageTitle>{t('operationsTitle', { instanceId })}</PageTitle>
      <NoticeLine notice={notice} />
      <form onSubmit={(e) => void saveTarget(e)} noValidate aria-labelledby="alerts-heading">
        <h2 id="alerts-heading">{t('alertTarget')}</h2>
        <p>{t('alertTargetHelp')}</p>
        {target === null && <p aria-busy="true">{t('loading')}</p>}
        {target === undefined && <p>{t('alertNone')}</p>}
        {target === 'forbidden' && <p class="notice notice-error">{t('alertForbidden')}</p>}
        {current && (
          <p>
            {t('alertCurrent', { method: current.method, target: 'webhookUrl' in current ? current.webhookUrl : current.url })}
            {'secretSet' in current && current.secretSet ? ` (${t('alertSecretSet')})` : ''}
          </p>
        )}
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
        <button type="submit" disabled={target === 'forbidden'}>
          {t('saveAlertTarget')}
        </button>{' '}
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
            <label for={describedBy('since', sinceErrors).id}>{t('bulkSince')}</label>
            <input type="datetime-local" value={since} onInput={(e) => setSince(e.currentTarget.value)} {...describedBy('since', sinceErrors)} />
            <FieldErrors path="since" errors={sinceErrors} />
          </div>
          <div>
            <label for={describedBy('until', untilErrors).id}>{t('bulkUntil')}</label>
            <input type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} {...describedBy('until', untilErrors)} />
            <FieldErrors path="until" errors={untilErrors} />
          </div>
        </div>
        <button type="submit" disabled={busy || (!failed && !dead)} aria-busy={busy ? 'true' : undefined}>
          {t('bulkSubmit')}
        </button>
      </form>
    </section>
  );
}
