/** Registry sources (SPEC §11): create (URL and token shown once), list, delete. */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import type { ErrorDetail, SourceKind, SourceView } from '../api';
import { SOURCE_KINDS } from '../../../shared/domain/sourceKinds';
import { useI18n } from '../i18n';
import { ConfirmButton, DataTable, describedBy, errorsAt, FieldErrors, formatTime, messageOf, NoticeLine, PageTitle } from '../ui';
import type { Notice } from '../ui';

const KIND_LABELS: Record<SourceKind, string> = { harbor: 'Harbor', distribution: 'CNCF Distribution', ecr: 'Amazon ECR (EventBridge)', acr: 'ACR' };

export function SourcesPage({ instanceId }: { instanceId: string }) {
  const { t, lang } = useI18n();
  /** undefined: loading; null: the list could not be read (the notice says why). */
  const [sources, setSources] = useState<SourceView[] | undefined | null>();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<SourceKind>('harbor');
  const [regionId, setRegionId] = useState('cn-hangzhou');
  const [details, setDetails] = useState<ErrorDetail[]>([]);
  const [created, setCreated] = useState<{ name: string; url: string; token: string } | undefined>();
  const [notice, setNotice] = useState<Notice>();

  async function load() {
    try {
      setSources(await api.listSources(instanceId));
    } catch (e) {
      setSources((current) => current ?? null);
      setNotice({ kind: 'error', text: t('errorGeneric', { message: messageOf(e) }) });
    }
  }

  useEffect(() => {
    void load();
  }, [instanceId]);

  async function create(event: SubmitEvent) {
    event.preventDefault();
    setDetails([]);
    setCreated(undefined);
    try {
      const source = await api.createSource(instanceId, { name: name.trim(), kind, regionId: regionId.trim() });
      setCreated({ name: source.name, url: `${window.location.origin}${source.ingestUrl}`, token: source.token });
      setName('');
      await load();
    } catch (e) {
      if (e instanceof ApiError && e.details.length > 0) setDetails(e.details);
      else if (e instanceof ApiError && e.code === 'RegionNotSupported') setDetails([{ path: 'regionId', message: e.message }]);
      else setNotice({ kind: 'error', text: t('errorGeneric', { message: messageOf(e) }) });
    }
  }

  async function remove(source: SourceView) {
    try {
      await api.deleteSource(instanceId, source.sourceId);
      setNotice({ kind: 'ok', text: t('sourceDeleted', { name: source.name }) });
    } catch (e) {
      setNotice({ kind: 'error', text: t('errorGeneric', { message: messageOf(e) }) });
    } finally {
      await load();
    }
  }

  const at = (path: string) => errorsAt(details, path);

  return (
    <section>
      <PageTitle>{t('sourcesTitle', { instanceId })}</PageTitle>
      <p>{t('sourcesHelp')}</p>
      <form onSubmit={(e) => void create(e)} noValidate>
        <h2>{t('createSource')}</h2>
        <div class="grid">
          <div>
            <label for="f-name">{t('sourceName')}</label>
            <input value={name} onInput={(e) => setName(e.currentTarget.value)} autocomplete="off" placeholder="harbor-prod" {...describedBy('name', at('name'))} />
            <FieldErrors path="name" errors={at('name')} />
          </div>
          <div>
            <label for="f-kind">{t('sourceKind')}</label>
            <select id="f-kind" value={kind} onChange={(e) => setKind(SOURCE_KINDS.find((k) => k === e.currentTarget.value) ?? 'harbor')}>
              {SOURCE_KINDS.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="f-regionId">{t('region')}</label>
            <input value={regionId} onInput={(e) => setRegionId(e.currentTarget.value)} autocomplete="off" {...describedBy('regionId', at('regionId'))} />
            <FieldErrors path="regionId" errors={at('regionId')} />
          </div>
        </div>
        <button type="submit">{t('createSource')}</button>
      </form>
      {created && (
        <div role="alert" class="notice notice-ok">
          <p>{t('sourceCreated', { name: created.name })}</p>
          <label for="new-source-url">{t('ingestUrl')}</label>
          <input id="new-source-url" readOnly value={created.url} onFocus={(e) => e.currentTarget.select()} />
          <label for="new-source-token">{t('sourceToken')}</label>
          <input id="new-source-token" readOnly value={created.token} spellcheck={false} onFocus={(e) => e.currentTarget.select()} />
        </div>
      )}
      <NoticeLine notice={notice} />
      <h2>{t('sources')}</h2>
      {sources === undefined && <p aria-busy="true">{t('loading')}</p>}
      {sources?.length === 0 && <p>{t('noSources')}</p>}
      {sources && sources.length > 0 && (
        <DataTable caption={t('sources')} columns={[t('sourceName'), t('colKind'), t('colRegion'), t('ingestUrl'), t('colCreated'), t('colActions')]}>
          {sources.map((s) => (
            <tr key={s.sourceId}>
              <th scope="row">
                {s.name}
                <br />
                <small>
                  <code>{s.sourceId}</code>
                </small>
              </th>
              <td>{KIND_LABELS[s.kind]}</td>
              <td>{s.regionId}</td>
              <td class="target">{`${window.location.origin}${s.ingestUrl}`}</td>
              <td>{formatTime(s.createdAt, lang)}</td>
              <td class="actions">
                <ConfirmButton
                  text={t('delete')}
                  label={`${t('delete')} ${s.name}`}
                  confirmText={t('confirmDeleteSource', { name: s.name })}
                  cancelText={t('cancel')}
                  onConfirm={() => void remove(s)}
                />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
