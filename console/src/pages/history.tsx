/** Event History: filters, newest first, paging with the API's nextToken, delivery counts, auto-refresh. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import type { EventSummary, RuleView } from '../api';
import { EVENT_TYPES } from '../../../shared/domain/eventTypes';
import { DELIVERY_STATES } from '../../../shared/domain/deliveryStates';
import { useI18n } from '../i18n';
import { hrefOf } from '../router';
import { DataTable, describedBy, errorsAt, FieldErrors, formatTime, messageOf, PageTitle, RuleSelect, STATE_KEYS } from '../ui';
import type { ErrorDetail } from '../api';
import { ApiError } from '../api';

interface Filter {
  ruleId: string;
  deliveryState: string;
  eventType: string;
  status: string;
  namespace: string;
  repoName: string;
  limit: string;
}

const NO_FILTER: Filter = { ruleId: '', deliveryState: '', eventType: '', status: '', namespace: '', repoName: '', limit: '30' };
const REFRESH_MS = 5000;

const shortType = (type: string) => type.slice(type.lastIndexOf(':') + 1);

export function HistoryPage({ instanceId }: { instanceId: string }) {
  const { t, lang } = useI18n();
  const [draft, setDraft] = useState<Filter>(NO_FILTER);
  const [filter, setFilter] = useState<Filter>(NO_FILTER);
  /** Tokens of the pages before the current one; the current page's own token is last. */
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  const [events, setEvents] = useState<EventSummary[] | undefined>();
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [details, setDetails] = useState<ErrorDetail[]>([]);
  const [autoRefresh, setAutoRefresh] = useState(false);
  const [rules, setRules] = useState<RuleView[]>([]);
  const latest = useRef(0);

  const current = tokens[tokens.length - 1];

  /** Every load asks; only the latest answer is shown (a filter applied mid-load is never lost). */
  async function load() {
    const mine = (latest.current += 1);
    try {
      const query: Record<string, string> = { ...filter, ...(current ? { nextToken: current } : {}) };
      const page = await api.listEvents(instanceId, query);
      if (mine !== latest.current) return;
      setEvents(page.events);
      setNext(page.nextToken);
      setError(undefined);
      setDetails([]);
    } catch (e) {
      if (mine !== latest.current) return;
      // No results under a filter that failed: the previous page would read as its answer.
      setEvents(undefined);
      setNext(null);
      setError(messageOf(e));
      setDetails(e instanceof ApiError ? e.details : []);
    }
  }

  useEffect(() => {
    void load();
  }, [instanceId, filter, current]);

  useEffect(() => {
    api
      .listRules(instanceId)
      .then((page) => setRules(page.rules))
      .catch(() => setRules([]));
  }, [instanceId]);

  useEffect(() => {
    if (!autoRefresh || tokens.length > 1) return undefined;
    const timer = window.setInterval(() => void load(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [autoRefresh, tokens.length, filter, instanceId]);

  function apply(event: SubmitEvent) {
    event.preventDefault();
    setTokens([undefined]);
    setFilter({ ...draft, namespace: draft.namespace.trim(), repoName: draft.repoName.trim() });
  }

  function clear() {
    setDraft(NO_FILTER);
    setTokens([undefined]);
    setFilter(NO_FILTER);
  }

  const set = (key: keyof Filter, value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const at = (path: string) => errorsAt(details, `query.${path}`);

  return (
    <section>
      <PageTitle>{t('historyTitle', { instanceId })}</PageTitle>
      <form onSubmit={apply} class="filters">
        <fieldset>
          <legend>{t('filters')}</legend>
          <div class="grid">
            <RuleSelect id="f-ruleId" label={t('rule')} anyLabel={t('anyRule')} value={draft.ruleId} onChange={(v) => set('ruleId', v)} rules={rules} />
            <div>
              <label for="f-eventType">{t('eventType')}</label>
              <select id="f-eventType" value={draft.eventType} onChange={(e) => set('eventType', e.currentTarget.value)}>
                <option value="">{t('anyType')}</option>
                {EVENT_TYPES.map((type) => (
                  <option key={type} value={type}>
                    {shortType(type)}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="f-deliveryState">{t('deliveryState')}</label>
              <select id="f-deliveryState" value={draft.deliveryState} onChange={(e) => set('deliveryState', e.currentTarget.value)}>
                <option value="">{t('anyDeliveryState')}</option>
                {DELIVERY_STATES.map((s) => (
                  <option key={s} value={s}>
                    {t(STATE_KEYS[s] ?? 'anyDeliveryState')}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="f-status">{t('status')}</label>
              <select id="f-status" value={draft.status} onChange={(e) => set('status', e.currentTarget.value)}>
                <option value="">{t('anyStatus')}</option>
                {['SUCCESS', 'FAILED', 'CANCELED', 'DENIED'].map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div class="grid">
            <div>
              <label for="f-namespace">{t('namespace')}</label>
              <input value={draft.namespace} onInput={(e) => set('namespace', e.currentTarget.value)} {...describedBy('namespace', at('namespace'))} />
              <FieldErrors path="namespace" errors={at('namespace')} />
            </div>
            <div>
              <label for="f-repoName">{t('repoName')}</label>
              <input value={draft.repoName} onInput={(e) => set('repoName', e.currentTarget.value)} {...describedBy('repoName', at('repoName'))} />
              <FieldErrors path="repoName" errors={at('repoName')} />
            </div>
            <div>
              <label for="f-limit">{t('pageSize')}</label>
              <select id="f-limit" value={draft.limit} onChange={(e) => set('limit', e.currentTarget.value)}>
                {['10', '30', '50', '100'].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div class="wizard-buttons">
            <button type="submit">{t('apply')}</button>
            <button type="button" class="secondary outline" onClick={clear}>
              {t('clear')}
            </button>
            <label class="inline-label">
              <input type="checkbox" role="switch" checked={autoRefresh} onChange={(e) => setAutoRefresh(e.currentTarget.checked)} />
              {t('autoRefresh')}
            </label>
          </div>
        </fieldset>
      </form>
      {error && <p role="alert">{t('errorGeneric', { message: error })}</p>}
      {events === undefined && !error && <p aria-busy="true">{t('loading')}</p>}
      {events?.length === 0 && <p>{t('noEvents')}</p>}
      {events && events.length > 0 && (
        <DataTable caption={t('eventHistory')} columns={[t('colTime'), t('colEventId'), t('colType'), t('status'), t('colArtifact'), t('colDeliveries')]}>
          {events.map((e) => (
            <tr key={`${e.instanceId}/${e.eventId}`}>
              <td>{formatTime(e.receivedAt, lang)}</td>
              <td>
                <a href={hrefOf({ page: 'trace', instanceId, eventId: e.eventId })}>
                  <code>{e.eventId}</code>
                </a>
              </td>
              <td>{shortType(e.eventType)}</td>
              <td>{e.status}</td>
              <td class="artifact">
                {e.namespace}/{e.repoName}:{e.tag}
              </td>
              <td class="counts">
                {e.deliveries.delivered > 0 && <span class="badge badge-delivered">{t('countDelivered', { n: e.deliveries.delivered })}</span>}
                {e.deliveries.pending > 0 && <span class="badge badge-pending">{t('countPending', { n: e.deliveries.pending })}</span>}
                {e.deliveries.failed > 0 && <span class="badge badge-failed">{t('countFailed', { n: e.deliveries.failed })}</span>}
                {e.deliveries.dead > 0 && <span class="badge badge-dead">{t('countDead', { n: e.deliveries.dead })}</span>}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <div class="wizard-buttons">
        <button type="button" class="secondary outline" disabled={tokens.length <= 1} onClick={() => setTokens((s) => s.slice(0, -1))}>
          {t('newer')}
        </button>
        <button type="button" class="secondary outline" disabled={next === null} onClick={() => next !== null && setTokens((s) => [...s, next])}>
          {t('older')}
        </button>
      </div>
    </section>
  );
}
