/** Chatbot status (SPEC §13): each bot the instance's rules use, its windows' use, pause, waiting mail, next send. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { ChatbotView } from '../api';
import { useI18n } from '../i18n';
import { hrefOf } from '../router';
import { DataTable, formatTime, messageOf, NoticeLine, PageTitle } from '../ui';
import type { Notice } from '../ui';

export function ChatbotsPage({ instanceId }: { instanceId: string }) {
  const { t, lang } = useI18n();
  const [bots, setBots] = useState<ChatbotView[] | undefined>();
  const [notice, setNotice] = useState<Notice>();
  /** Rule names by id, to show names rather than ids (ids stay when the list cannot be read). */
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());

  async function load() {
    try {
      setBots(await api.listChatbots(instanceId));
      setNotice(undefined);
    } catch (e) {
      setNotice({ kind: 'error', text: t('errorGeneric', { message: messageOf(e) }) });
    }
  }

  useEffect(() => {
    void load();
    api
      .listRules(instanceId)
      .then((page) => setNames(new Map(page.rules.map((r) => [r.ruleId, r.ruleName]))))
      .catch(() => setNames(new Map()));
  }, [instanceId]);

  return (
    <section>
      <PageTitle>{t('chatbotsTitle', { instanceId })}</PageTitle>
      <p>
        <button type="button" class="secondary outline" onClick={() => void load()}>
          {t('refresh')}
        </button>
      </p>
      <NoticeLine notice={notice} />
      {bots === undefined && !notice && <p aria-busy="true">{t('loading')}</p>}
      {bots?.length === 0 && <p>{t('noChatbots')}</p>}
      {bots && bots.length > 0 && (
        <DataTable caption={t('chatbots')} columns={[t('colBot'), t('colRules'), t('colWindows'), t('colPausedUntil'), t('colWaiting'), t('colNextFlush')]}>
          {bots.map((bot) => (
            <tr key={`${bot.bot}-${bot.ruleIds.join(',')}`}>
              <th scope="row">
                {bot.method}
                <br />
                <small class="target">{bot.bot}</small>
              </th>
              <td>
                {bot.ruleIds.map((id) => {
                  const name = names.get(id);
                  return name !== undefined ? (
                    <a key={id} href={hrefOf({ page: 'ruleEdit', instanceId, ruleId: id })} title={id}>
                      {name}{' '}
                    </a>
                  ) : (
                    <code key={id}>{id} </code>
                  );
                })}
              </td>
              <td>
                {bot.windows.map((w) => (
                  <label key={`${w.windowSeconds}-${w.limit}`}>
                    {t('windowUse', { used: w.used, limit: w.limit, seconds: w.windowSeconds })}
                    <progress value={w.used} max={w.limit} />
                  </label>
                ))}
              </td>
              <td>{bot.pausedUntil ? <span class="badge badge-throttled">{formatTime(bot.pausedUntil, lang)}</span> : t('notPaused')}</td>
              <td>{bot.waiting}</td>
              <td>{bot.nextFlushAt ? formatTime(bot.nextFlushAt, lang) : '—'}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
