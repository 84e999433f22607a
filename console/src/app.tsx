/**
 * The console shell: who is signed in, the language, the header navigation and the
 * page for the current route. The API key never outlives the sign-in form: the session
 * lives in an HttpOnly cookie the page cannot read.
 */
import { OperationsPage } from './pages/operations';
import { ChatbotsPage } from './pages/chatbots';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, whenSignedOut } from './api';
import type { Me } from './api';
import { en, I18n, LANGS, initialLang, loadCatalogue, rememberLang, translator } from './i18n';
import type { Catalogue, Lang } from './i18n';
import { ApiKeysPage } from './pages/apiKeys';
import { HistoryPage } from './pages/history';
import { InstancesPage } from './pages/instances';
import { QueryPage } from './pages/query';
import { RuleWizard } from './pages/ruleWizard';
import { RulesPage } from './pages/rules';
import { SignInPage } from './pages/signIn';
import { SourcesPage } from './pages/sources';
import { TracePage } from './pages/trace';
import { hrefOf, useRoute } from './router';
import type { Route } from './router';

type Session = { state: 'checking' } | { state: 'signedOut'; ended?: boolean } | { state: 'signedIn'; me: Me };

function instanceOf(route: Route): string | undefined {
  return 'instanceId' in route ? route.instanceId : undefined;
}

export function App() {
  const [lang, setLangState] = useState<Lang>('en');
  const [catalogue, setCatalogue] = useState<Catalogue>(en);
  const t = useMemo(() => translator(catalogue), [catalogue]);
  const [session, setSession] = useState<Session>({ state: 'checking' });
  const route = useRoute();

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t('appName');
  }, [lang, t]);

  useEffect(() => {
    whenSignedOut(() => setSession({ state: 'signedOut', ended: true }));
    api
      .me()
      .then((me) => setSession({ state: 'signedIn', me }))
      .catch(() => setSession({ state: 'signedOut' }));
  }, []);

  const setLang = (next: Lang) => {
    rememberLang(next);
    void loadCatalogue(next).then((loaded) => {
      setCatalogue(loaded);
      setLangState(next);
    });
  };

  useEffect(() => {
    const preferred = initialLang();
    if (preferred !== 'en') setLang(preferred);
  }, []);

  async function signOut() {
    await api.signOut().catch(() => undefined);
    setSession({ state: 'signedOut' });
  }

  const instanceId = instanceOf(route);
  const me = session.state === 'signedIn' ? session.me : undefined;

  return (
    <I18n.Provider value={{ lang, t, setLang }}>
      <a class="skip-link" href="#content">
        {t('skipToContent')}
      </a>
      <header class="container">
        <nav aria-label={t('nav')}>
          <ul>
            <li>
              <strong>{t('appName')}</strong>
            </li>
          </ul>
          <ul>
            {me && (
              <li>
                <a href={hrefOf({ page: 'instances' })} aria-current={route.page === 'instances' ? 'page' : undefined}>
                  {t('instances')}
                </a>
              </li>
            )}
            {me?.kind === 'admin' && (
              <li>
                <a href={hrefOf({ page: 'apiKeys' })} aria-current={route.page === 'apiKeys' ? 'page' : undefined}>
                  {t('apiKeys')}
                </a>
              </li>
            )}
            <li>
              <label class="inline-label">
                {t('language')}{' '}
                <select value={lang} onChange={(e) => setLang(e.currentTarget.value === 'zh-CN' ? 'zh-CN' : 'en')}>
                  {LANGS.map((l) => (
                    <option key={l.code} value={l.code} lang={l.code}>
                      {l.label}
                    </option>
                  ))}
                </select>
              </label>
            </li>
            {me && (
              <li>
                <button type="button" class="secondary" onClick={() => void signOut()}>
                  {t('signOut')}
                </button>
              </li>
            )}
          </ul>
        </nav>
        {me && (
          <p class="who">{t('signedInAs', { who: me.kind === 'admin' ? t('admin') : `${me.name ?? ''} (${me.keyId ?? ''})` })}</p>
        )}
        {me && instanceId && route.page !== 'instances' && (
          <nav aria-label={t('instanceNav')} class="tabs">
            <ul>
              <li>
                <code>{instanceId}</code>
              </li>
              <li>
                <a href={hrefOf({ page: 'rules', instanceId })} aria-current={['rules', 'ruleNew', 'ruleEdit'].includes(route.page) ? 'page' : undefined}>
                  {t('eventRules')}
                </a>
              </li>
              <li>
                <a href={hrefOf({ page: 'events', instanceId })} aria-current={route.page === 'events' ? 'page' : undefined}>
                  {t('eventHistory')}
                </a>
              </li>
              <li>
                <a href={hrefOf({ page: 'sources', instanceId })} aria-current={route.page === 'sources' ? 'page' : undefined}>
                  {t('sources')}
                </a>
              </li>
              <li>
                <a href={hrefOf({ page: 'operations', instanceId })} aria-current={route.page === 'operations' ? 'page' : undefined}>
                  {t('operations')}
                </a>
              </li>
              <li>
                <a href={hrefOf({ page: 'chatbots', instanceId })} aria-current={route.page === 'chatbots' ? 'page' : undefined}>
                  {t('chatbots')}
                </a>
              </li>
              <li>
                <a href={hrefOf({ page: 'query', instanceId })} aria-current={route.page === 'query' || route.page === 'trace' ? 'page' : undefined}>
                  {t('queryByEventId')}
                </a>
              </li>
            </ul>
          </nav>
        )}
      </header>
      <main id="content" class="container">
        {session.state === 'checking' && <p aria-busy="true">{t('loading')}</p>}
        {session.state === 'signedOut' && <SignInPage ended={session.ended === true} onSignedIn={(signedIn) => setSession({ state: 'signedIn', me: signedIn })} />}
        {me && <Page route={route} me={me} />}
      </main>
    </I18n.Provider>
  );
}

function Page({ route, me }: { route: Route; me: Me }) {
  switch (route.page) {
    case 'instances':
      return <InstancesPage me={me} />;
    case 'apiKeys':
      return <ApiKeysPage me={me} />;
    case 'rules':
      return <RulesPage key={route.instanceId} instanceId={route.instanceId} />;
    case 'ruleNew':
      return <RuleWizard key={`new-${route.instanceId}`} instanceId={route.instanceId} />;
    case 'ruleEdit':
      return <RuleWizard key={`edit-${route.ruleId}`} instanceId={route.instanceId} ruleId={route.ruleId} />;
    case 'events':
      return <HistoryPage key={route.instanceId} instanceId={route.instanceId} />;
    case 'query':
      return <QueryPage instanceId={route.instanceId} />;
    case 'sources':
      return <SourcesPage key={route.instanceId} instanceId={route.instanceId} />;
    case 'operations':
      return <OperationsPage key={route.instanceId} instanceId={route.instanceId} />;
    case 'chatbots':
      return <ChatbotsPage key={route.instanceId} instanceId={route.instanceId} />;
    case 'trace':
      return <TracePage key={route.eventId} instanceId={route.instanceId} eventId={route.eventId} />;
  }
}
