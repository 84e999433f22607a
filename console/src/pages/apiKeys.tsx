/** API keys (admin): create with the key shown once, list, revoke. */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import type { ApiKeySummary, ErrorDetail, Me, Scope } from '../api';
import { SCOPES } from '../../../shared/domain/apiKeys';
import { useI18n } from '../i18n';
import { ConfirmButton, DataTable, describedBy, errorsAt, FieldErrors, formatTime, messageOf, NoticeLine, PageTitle, splitList } from '../ui';
import type { Notice } from '../ui';

export function ApiKeysPage({ me }: { me: Me }) {
  const { t, lang } = useI18n();
  /** undefined: loading; null: the list could not be read (the notice says why). */
  const [keys, setKeys] = useState<ApiKeySummary[] | undefined | null>();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['events:read']);
  const [instanceIds, setInstanceIds] = useState('');
  const [details, setDetails] = useState<ErrorDetail[]>([]);
  const [created, setCreated] = useState<{ name: string; apiKey: string } | undefined>();
  const [copied, setCopied] = useState(false);
  const [notice, setNotice] = useState<Notice>();

  async function load() {
    try {
      setKeys(await api.listApiKeys());
    } catch (e) {
      setKeys((current) => current ?? null);
      setNotice({ kind: 'error', text: t('errorGeneric', { message: messageOf(e) }) });
    }
  }

  useEffect(() => {
    if (me.kind === 'admin') void load();
  }, [me.kind]);

  if (me.kind !== 'admin') {
    return (
      <section>
        <PageTitle>{t('keysTitle')}</PageTitle>
        <p>{t('adminOnly')}</p>
      </section>
    );
  }

  async function create(event: SubmitEvent) {
    event.preventDefault();
    setDetails([]);
    setCreated(undefined);
    setCopied(false);
    try {
      const result = await api.createApiKey({ name: name.trim(), scopes, instanceIds: splitList(instanceIds) });
      setCreated({ name: result.name, apiKey: result.apiKey });
      setName('');
      setInstanceIds('');
      await load();
    } catch (e) {
      if (e instanceof ApiError && e.details.length > 0) setDetails(e.details);
      else setNotice({ kind: 'error', text: t('errorGeneric', { message: messageOf(e) }) });
    }
  }

  async function revoke(key: ApiKeySummary) {
    try {
      await api.revokeApiKey(key.keyId);
      setNotice({ kind: 'ok', text: t('keyRevoked', { name: key.name }) });
    } catch (e) {
      setNotice({ kind: 'error', text: t('errorGeneric', { message: messageOf(e) }) });
    } finally {
      await load();
    }
  }

  async function copy(value: string) {
    await navigator.clipboard?.writeText(value).catch(() => undefined);
    setCopied(true);
  }

  const at = (path: string) => errorsAt(details, path);

  return (
    <section>
      <PageTitle>{t('keysTitle')}</PageTitle>
      <form onSubmit={(e) => void create(e)} noValidate>
        <h2>{t('createKey')}</h2>
        <label for="f-name">{t('keyName')}</label>
        <input value={name} onInput={(e) => setName(e.currentTarget.value)} autocomplete="off" {...describedBy('name', at('name'))} />
        <FieldErrors path="name" errors={at('name')} />
        <fieldset id="f-scopes" tabIndex={-1}>
          <legend>{t('scopes')}</legend>
          {SCOPES.map((scope) => (
            <label key={scope}>
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  setScopes((s) => (on ? SCOPES.filter((x) => x === scope || s.includes(x)) : s.filter((x) => x !== scope)));
                }}
              />
              <code>{scope}</code>
            </label>
          ))}
          <FieldErrors path="scopes" errors={at('scopes')} />
        </fieldset>
        <label for="f-instanceIds">{t('instanceIds')}</label>
        <input value={instanceIds} onInput={(e) => setInstanceIds(e.currentTarget.value)} placeholder="cri-abc123" autocomplete="off" spellcheck={false} {...describedBy('instanceIds', at('instanceIds'))} />
        <FieldErrors path="instanceIds" errors={at('instanceIds')} />
        <button type="submit">{t('createKey')}</button>
      </form>
      {created && (
        <div role="alert" class="notice notice-ok">
          <p>{t('keyCreated', { name: created.name })}</p>
          <label for="new-key">{t('newKey')}</label>
          <div role="group">
            <input id="new-key" readOnly value={created.apiKey} spellcheck={false} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" onClick={() => void copy(created.apiKey)}>
              {copied ? t('copied') : t('copy')}
            </button>
          </div>
        </div>
      )}
      <NoticeLine notice={notice} />
      <h2>{t('apiKeys')}</h2>
      {keys === undefined && <p aria-busy="true">{t('loading')}</p>}
      {keys?.length === 0 && <p>{t('noKeys')}</p>}
      {keys && keys.length > 0 && (
        <DataTable caption={t('apiKeys')} columns={[t('keyName'), t('colKeyId'), t('scopes'), t('instances'), t('colCreated'), t('colStatus'), t('colActions')]}>
          {keys.map((key) => (
            <tr key={key.keyId}>
              <th scope="row">{key.name}</th>
              <td>
                <code>{key.keyId}</code>
              </td>
              <td>{key.scopes.join(', ')}</td>
              <td>{key.instanceIds.join(', ')}</td>
              <td>{formatTime(key.createdAt, lang)}</td>
              <td>{key.status === 'active' ? t('active') : t('revoked')}</td>
              <td class="actions">
                {key.status === 'active' && (
                  <ConfirmButton
                    text={t('revoke')}
                    label={`${t('revoke')} ${key.name}`}
                    confirmText={t('confirmRevoke', { name: key.name })}
                    cancelText={t('cancel')}
                    onConfirm={() => void revoke(key)}
                  />
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
