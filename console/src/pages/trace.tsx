/**
 * Event Trace: the CloudEvent as received and every delivery with its attempts as a
 * timeline (outcome, HTTP status, provider code and message, digest id), its next attempt
 * or dead reason, and redelivery of failed and dead deliveries.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import type { EventTrace, TraceDelivery } from '../api';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n/en';
import { formatTime, messageOf, NoticeLine, PageTitle, StateBadge } from '../ui';
import type { Notice } from '../ui';

const OUTCOME_KEYS: Record<string, MessageKey> = {
  delivered: 'outcomeDelivered',
  retry: 'outcomeRetry',
  throttled: 'outcomeThrottled',
  failed: 'outcomeFailed',
};

const reopenable = (d: TraceDelivery) => d.state === 'failed' || d.state === 'dead';

function Delivery({ delivery, onRedeliver, busy }: { delivery: TraceDelivery; onRedeliver: (ruleId: string) => void; busy: boolean }) {
  const { t, lang } = useI18n();
  const headingId = `delivery-${delivery.ruleId}`;
  return (
    <article aria-labelledby={headingId} class="delivery">
      <header>
        <h3 id={headingId}>
          {delivery.ruleName} <StateBadge state={delivery.state} />
        </h3>
        <small>
          <code>{delivery.ruleId}</code>
        </small>
      </header>
      <dl class="facts">
        <dt>{t('target')}</dt>
        <dd>
          {delivery.method} <span class="target">{delivery.target}</span>
        </dd>
        {delivery.nextAttemptAt && (
          <>
            <dt>{t('nextAttempt')}</dt>
            <dd>{formatTime(delivery.nextAttemptAt, lang)}</dd>
          </>
        )}
        {delivery.deliveredAt && (
          <>
            <dt>{t('deliveredAt')}</dt>
            <dd>{formatTime(delivery.deliveredAt, lang)}</dd>
          </>
        )}
        {delivery.deadReason && (
          <>
            <dt>{t('deadReason')}</dt>
            <dd>{delivery.deadReason}</dd>
          </>
        )}
      </dl>
      <h4>{t('attempts')}</h4>
      {delivery.attempts.length === 0 ? (
        <p>{t('noAttempts')}</p>
      ) : (
        <ol class="timeline">
          {delivery.attempts.map((a) => {
            const key = OUTCOME_KEYS[a.outcome];
            return (
              <li key={a.n} class={`attempt attempt-${a.outcome}`}>
                <strong>{t('attemptLine', { n: a.n, at: formatTime(a.at, lang), outcome: key ? t(key) : a.outcome })}</strong>
                <span class="attempt-facts">
                  {a.httpStatus !== undefined && <span>{t('httpStatus', { status: a.httpStatus })}</span>}
                  {a.providerCode !== undefined && <span>{t('providerCode', { code: a.providerCode })}</span>}
                  {a.providerMessage && <span>{a.providerMessage}</span>}
                  {a.error && a.error !== `HTTP ${a.httpStatus ?? ''}` && <span>{a.error}</span>}
                  <span>{t('duration', { ms: a.durationMs })}</span>
                  {a.digestId && (
                    <span>
                      {t('digest', { id: '' })}
                      <code>{a.digestId}</code>
                    </span>
                  )}
                </span>
              </li>
            );
          })}
        </ol>
      )}
      {reopenable(delivery) && (
        <button type="button" class="secondary" disabled={busy} onClick={() => onRedeliver(delivery.ruleId)} aria-label={`${t('redeliver')} ${delivery.ruleName}`}>
          {t('redeliver')}
        </button>
      )}
    </article>
  );
}

export function TracePage({ instanceId, eventId }: { instanceId: string; eventId: string }) {
  const { t, lang } = useI18n();
  const [trace, setTrace] = useState<EventTrace | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<Notice>();
  const [busy, setBusy] = useState(false);

  async function load() {
    try {
      setTrace(await api.getEvent(instanceId, eventId));
      setError(undefined);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 404 ? t('eventNotFound', { eventId }) : t('errorGeneric', { message: messageOf(e) }));
    }
  }

  useEffect(() => {
    void load();
  }, [eventId, instanceId]);

  async function redeliver(ruleId?: string) {
    setBusy(true);
    try {
      const result = await api.redeliver(instanceId, eventId, ruleId);
      setNotice(result.requeued.length > 0 ? { kind: 'ok', text: t('redelivered', { list: result.requeued.join(', ') }) } : { kind: 'error', text: t('nothingToRedeliver') });
    } catch (e) {
      setNotice({ kind: 'error', text: t('errorGeneric', { message: messageOf(e) }) });
    } finally {
      setBusy(false);
      await load();
    }
  }

  return (
    <section>
      <PageTitle>
        {t('traceTitle')}: <code>{eventId}</code>
      </PageTitle>
      <NoticeLine notice={notice} />
      {error && <p role="alert">{error}</p>}
      {!trace && !error && <p aria-busy="true">{t('loading')}</p>}
      {trace && (
        <>
          <dl class="facts">
            <dt>{t('colType')}</dt>
            <dd>{trace.eventType}</dd>
            <dt>{t('status')}</dt>
            <dd>{trace.status}</dd>
            <dt>{t('colArtifact')}</dt>
            <dd class="artifact">
              {trace.namespace}/{trace.repoName}:{trace.tag}
            </dd>
            <dt>{t('instanceId')}</dt>
            <dd>
              {trace.instanceId} · {trace.regionId}
            </dd>
            <dt>{t('received')}</dt>
            <dd>{formatTime(trace.receivedAt, lang)}</dd>
            <dt>{t('expires')}</dt>
            <dd>{formatTime(trace.expiresAt, lang)}</dd>
            {trace.source && (
              <>
                <dt>{t('fromSource')}</dt>
                <dd>{t('sourceLine', { name: trace.source.name, kind: trace.source.kind, index: trace.source.index })}</dd>
              </>
            )}
          </dl>
          <h2>{t('deliveries')}</h2>
          {trace.deliveries.length === 0 && <p>{t('noDeliveries')}</p>}
          {trace.deliveries.some(reopenable) && (
            <p>
              <button type="button" disabled={busy} onClick={() => void redeliver()}>
                {t('redeliverAll')}
              </button>
            </p>
          )}
          {trace.deliveries.map((d) => (
            <Delivery key={d.ruleId} delivery={d} busy={busy} onRedeliver={(ruleId) => void redeliver(ruleId)} />
          ))}
          {trace.source && (
            <details>
              <summary>{t('nativePayload')}</summary>
              <pre class="cloudevent" tabIndex={0} aria-label={t('nativePayload')}>
                {JSON.stringify(trace.source.payload, null, 2)}
              </pre>
            </details>
          )}
          <details>
            <summary>{t('cloudEvent')}</summary>
            <pre class="cloudevent" tabIndex={0} aria-label={t('cloudEvent')}>
              {JSON.stringify(trace.event, null, 2)}
            </pre>
          </details>
        </>
      )}
    </section>
  );
}
