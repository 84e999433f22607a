/**
 * The two-step Create Rule wizard (Event Scope, then Event Notification), also used to
 * edit a rule with If-Match. The tag check runs the service's own RE2 matcher on sample
 * tags, the preview the service's own template renderer, and field errors from the API
 * land on the field their `details[].path` names.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import type { CreateRuleRequest, ErrorDetail, RuleView, UpdateRuleRequest } from '../api';
import { EVENT_TYPES, statusesOf } from '../../../shared/domain/eventTypes';
import type { EventStatus, EventType } from '../../../shared/domain/eventTypes';
import { tagMatcher, tagPatternProblem } from '../../../shared/domain/rules';
import { renderTemplate, TEMPLATE_PLACEHOLDERS, unknownPlaceholders } from '../../../shared/domain/template';
import { useI18n } from '../i18n';
import { hrefOf, navigate } from '../router';
import { describedBy, errorsAt, FieldErrors, FieldHelp, fieldId, messageOf, PageTitle, splitList } from '../ui';
import { describeTarget } from './rules';
import { isChatMethod, NOTIFY_METHODS } from '../../../shared/domain/chatMethods';
import type { ChatMethod, NotifyMethod } from '../../../shared/domain/chatMethods';

type Method = NotifyMethod;

/** Where each chat provider's webhook URL starts (a hint; the API checks the configured prefixes). */
const WEBHOOK_PLACEHOLDER: Record<ChatMethod, string> = {
  dingtalk: 'https://oapi.dingtalk.com/robot/send?access_token=…',
  feishu: 'https://open.feishu.cn/open-apis/bot/v2/hook/…',
  wecom: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…',
  slack: 'https://hooks.slack.com/services/…',
};
/** WeCom and Slack sign nothing: their webhook URL is the secret. */
const takesSecret = (method: Method) => method !== 'wecom' && method !== 'slack';
type ScopeType = 'INSTANCE' | 'NAMESPACE' | 'REPO';

interface Draft {
  ruleName: string;
  regionId: string;
  eventTypes: EventType[];
  eventStatuses: EventStatus[];
  scopeType: ScopeType;
  namespaces: string;
  namespace: string;
  repoNames: string;
  tagPattern: string;
  sampleTags: string;
  enabled: boolean;
  method: Method;
  webhookUrl: string;
  url: string;
  secret: string;
  template: string;
}

const EMPTY: Draft = {
  ruleName: '',
  regionId: 'cn-hangzhou',
  eventTypes: [],
  eventStatuses: [],
  scopeType: 'INSTANCE',
  namespaces: '',
  namespace: '',
  repoNames: '',
  tagPattern: '.*',
  sampleTags: 'latest, v1.2.0, v1.2.0-rc1',
  enabled: true,
  method: 'dingtalk',
  webhookUrl: '',
  url: '',
  secret: '',
  template: '',
};

/** Fields of step 1: an API error on one of them sends the user back there. */
const STEP_ONE = ['ruleName', 'regionId', 'eventTypes', 'eventStatuses', 'scope', 'tagPattern', 'enabled'];

/** Errors that name no field still belong to one. */
const CODE_FIELDS: Record<string, string> = {
  RuleNameConflict: 'ruleName',
  RuleLimitExceeded: 'regionId',
  RegionNotSupported: 'regionId',
  TargetNotAllowed: 'notify',
};

const shortType = (type: string) => type.slice(type.lastIndexOf(':') + 1);

function draftOf(rule: RuleView): Draft {
  const scope = rule.scope;
  return {
    ...EMPTY,
    ruleName: rule.ruleName,
    regionId: rule.regionId,
    eventTypes: rule.eventTypes.filter((t): t is EventType => (EVENT_TYPES as readonly string[]).includes(t)),
    eventStatuses: (rule.eventStatuses ?? []).filter((s): s is EventStatus => ['SUCCESS', 'FAILED', 'CANCELED', 'DENIED'].includes(s)),
    scopeType: scope.type,
    namespaces: scope.type === 'NAMESPACE' ? scope.namespaces.join(', ') : '',
    namespace: scope.type === 'REPO' ? scope.namespace : '',
    repoNames: scope.type === 'REPO' ? scope.repoNames.join(', ') : '',
    tagPattern: rule.tagPattern,
    enabled: rule.enabled,
    method: rule.notify.method,
    template: rule.template ?? '',
  };
}

function scopeOf(draft: Draft): CreateRuleRequest['scope'] {
  if (draft.scopeType === 'NAMESPACE') return { type: 'NAMESPACE', namespaces: splitList(draft.namespaces) };
  if (draft.scopeType === 'REPO') return { type: 'REPO', namespace: draft.namespace.trim(), repoNames: splitList(draft.repoNames) };
  return { type: 'INSTANCE' };
}

function notifyOf(draft: Draft): CreateRuleRequest['notify'] {
  const secret = draft.secret.trim();
  const webhookUrl = draft.webhookUrl.trim();
  switch (draft.method) {
    case 'dingtalk':
    case 'feishu':
      return { method: draft.method, webhookUrl, ...(secret ? { secret } : {}) };
    case 'wecom':
    case 'slack':
      return { method: draft.method, webhookUrl };
    case 'http':
    case 'https':
      return { method: draft.method, url: draft.url.trim(), ...(secret ? { secret } : {}) };
  }
}

/** Statuses reported by at least one chosen type (the API keeps one list for all of them). */
function statusChoices(types: readonly EventType[]): { status: EventStatus; types: EventType[] }[] {
  const out: { status: EventStatus; types: EventType[] }[] = [];
  for (const status of ['SUCCESS', 'FAILED', 'CANCELED', 'DENIED'] as const) {
    const reporting = types.filter((type) => statusesOf(type).includes(status));
    if (reporting.length > 0) out.push({ status, types: reporting });
  }
  return out;
}

function sampleValues(draft: Draft, instanceId: string) {
  const tag = splitList(draft.sampleTags)[0] ?? 'v1.2.0';
  return {
    eventId: 'evt-sample-0001',
    eventType: draft.eventTypes[0] ?? 'cr:Artifact:ScanCompleted',
    status: draft.eventStatuses[0] ?? 'SUCCESS',
    instanceId,
    regionId: draft.regionId,
    namespace: draft.scopeType === 'REPO' ? draft.namespace || 'team-a' : splitList(draft.namespaces)[0] ?? 'team-a',
    repoName: splitList(draft.repoNames)[0] ?? 'api',
    tag,
    time: new Date().toISOString(),
    ruleName: draft.ruleName || 'my-rule',
  };
}

function TagCheck({ pattern, samples }: { pattern: string; samples: string }) {
  const { t } = useI18n();
  const [result, setResult] = useState<{ problem?: string; matches: [string, boolean][] }>({ matches: [] });
  useEffect(() => {
    let current = true;
    void (async () => {
      const problem = pattern === '' ? undefined : await tagPatternProblem(pattern);
      if (problem !== undefined || pattern === '') {
        if (current) setResult({ ...(problem !== undefined ? { problem } : {}), matches: [] });
        return;
      }
      const matches = await tagMatcher(pattern);
      if (current) setResult({ matches: splitList(samples).map((tag) => [tag, matches(tag)]) });
    })();
    return () => {
      current = false;
    };
  }, [pattern, samples]);
  return (
    <div id="tag-check" aria-live="polite">
      {result.problem !== undefined && <small class="field-error">{t('tagPatternInvalid', { problem: result.problem })}</small>}
      {result.matches.length > 0 && (
        <ul class="tag-check">
          {result.matches.map(([tag, ok]) => (
            <li key={tag} class={ok ? 'match' : 'no-match'}>
              <code>{tag}</code> {ok ? `✓ ${t('tagMatches')}` : `✗ ${t('tagNoMatch')}`}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function RuleWizard({ instanceId, ruleId }: { instanceId: string; ruleId?: string }) {
  const { t } = useI18n();
  const editing = ruleId !== undefined;
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [original, setOriginal] = useState<{ rule: RuleView; etag: string } | undefined>();
  const [replaceTarget, setReplaceTarget] = useState(!editing);
  const [step, setStep] = useState<1 | 2>(1);
  const [details, setDetails] = useState<ErrorDetail[]>([]);
  const [formError, setFormError] = useState<string | undefined>();
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);
  const [loadFailed, setLoadFailed] = useState(false);

  async function loadRule() {
    if (!ruleId) return;
    try {
      const loaded = await api.getRule(instanceId, ruleId);
      setOriginal(loaded);
      setDraft(draftOf(loaded.rule));
      // After a reload the user reviews the latest version from the start.
      setStep(1);
      setConflict(false);
      setDetails([]);
      setFormError(undefined);
    } catch (e) {
      // Without the rule there is nothing to edit: no form (saving it would create a rule).
      if (!original) setLoadFailed(true);
      setFormError(t('errorGeneric', { message: messageOf(e) }));
    }
  }

  useEffect(() => {
    void loadRule();
  }, [ruleId]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const at = (path: string) => errorsAt(details, path);

  function toggleType(type: EventType, on: boolean) {
    setDraft((d) => {
      const eventTypes = on ? EVENT_TYPES.filter((x) => x === type || d.eventTypes.includes(x)) : d.eventTypes.filter((x) => x !== type);
      const valid = new Set(statusChoices(eventTypes).map((c) => c.status));
      return { ...d, eventTypes, eventStatuses: d.eventStatuses.filter((s) => valid.has(s)) };
    });
  }

  function toggleStatus(status: EventStatus, on: boolean) {
    setDraft((d) => ({ ...d, eventStatuses: on ? [...d.eventStatuses, status] : d.eventStatuses.filter((s) => s !== status) }));
  }

  /** What can be told before asking the API: the same grammar the API checks. */
  async function stepOneProblems(): Promise<ErrorDetail[]> {
    const problems: ErrorDetail[] = [];
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(draft.ruleName)) problems.push({ path: 'ruleName', message: t('ruleNameHelp') });
    if (draft.eventTypes.length === 0) problems.push({ path: 'eventTypes', message: t('eventTypesRequired') });
    const problem = draft.tagPattern === '' ? 'empty' : await tagPatternProblem(draft.tagPattern);
    if (problem !== undefined) problems.push({ path: 'tagPattern', message: t('tagPatternInvalid', { problem }) });
    return problems;
  }

  async function next(event: SubmitEvent) {
    event.preventDefault();
    const problems = await stepOneProblems();
    setDetails(problems);
    if (problems.length > 0) {
      focusFirstError(problems);
      return;
    }
    setStep(2);
  }

  function focusFirstError(problems: readonly ErrorDetail[]) {
    const first = problems[0];
    if (!first) return;
    requestAnimationFrame(() => {
      const parts = first.path.split('.');
      for (let n = parts.length; n > 0; n -= 1) {
        const el = document.getElementById(fieldId(parts.slice(0, n).join('.')));
        if (el) {
          el.focus();
          return;
        }
      }
    });
  }

  function showApiError(error: unknown) {
    if (error instanceof ApiError && error.status === 412) {
      setConflict(true);
      return;
    }
    if (error instanceof ApiError) {
      const mapped = error.details.length > 0 ? error.details : CODE_FIELDS[error.code] ? [{ path: CODE_FIELDS[error.code] ?? '', message: error.message }] : [];
      setDetails(mapped);
      setFormError(mapped.length > 0 ? t('fixErrors') : error.message);
      if (mapped.some((d) => STEP_ONE.some((f) => d.path === f || d.path.startsWith(`${f}.`)))) setStep(1);
      focusFirstError(mapped);
      return;
    }
    setFormError(t('errorGeneric', { message: messageOf(error) }));
  }

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    setBusy(true);
    setFormError(undefined);
    setDetails([]);
    const common = {
      ruleName: draft.ruleName.trim(),
      regionId: draft.regionId.trim(),
      eventTypes: draft.eventTypes,
      scope: scopeOf(draft),
      tagPattern: draft.tagPattern,
      enabled: draft.enabled,
    };
    if (editing && !original) return; // still loading, or the rule could not be read
    try {
      if (editing && original) {
        const patch: UpdateRuleRequest = {
          ...common,
          eventStatuses: draft.eventStatuses.length > 0 ? draft.eventStatuses : null,
          template: draft.template.trim() !== '' ? draft.template : null,
          ...(replaceTarget ? { notify: notifyOf(draft) } : {}),
        };
        await api.updateRule(instanceId, original.rule.ruleId, patch, original.etag);
      } else {
        await api.createRule(instanceId, {
          ...common,
          ...(draft.eventStatuses.length > 0 ? { eventStatuses: draft.eventStatuses } : {}),
          ...(draft.template.trim() !== '' ? { template: draft.template } : {}),
          notify: notifyOf(draft),
        });
      }
      navigate({ page: 'rules', instanceId });
    } catch (e) {
      showApiError(e);
    } finally {
      setBusy(false);
    }
  }

  const stepName = step === 1 ? t('stepScope') : t('stepNotification');
  const unknown = unknownPlaceholders(draft.template);
  const templateErrors = [...at('template'), ...(unknown.length > 0 ? [`{{${unknown.join('}}, {{')}}}`] : [])];
  const notifyErrors = at('notify').filter((m) => !errorsAt(details, 'notify.webhookUrl').includes(m) && !errorsAt(details, 'notify.url').includes(m) && !errorsAt(details, 'notify.secret').includes(m));

  if (editing && loadFailed) {
    return (
      <section>
        <PageTitle>{t('wizardEdit', { name: ruleId })}</PageTitle>
        <p role="alert" class="notice notice-error">
          {formError}
        </p>
        <a href={hrefOf({ page: 'rules', instanceId })}>{t('backToRules')}</a>
      </section>
    );
  }

  return (
    <section>
      <PageTitle>{editing ? t('wizardEdit', { name: original?.rule.ruleName ?? '' }) : t('wizardCreate')}</PageTitle>
      <ol class="steps" aria-label={t('stepOf', { n: step, name: stepName })}>
        <li aria-current={step === 1 ? 'step' : undefined}>{t('stepScope')}</li>
        <li aria-current={step === 2 ? 'step' : undefined}>{t('stepNotification')}</li>
      </ol>
      {conflict && (
        <div role="alert" class="notice notice-error">
          <p>{t('conflict')}</p>
          <button type="button" onClick={() => void loadRule()}>
            {t('reload')}
          </button>
        </div>
      )}
      {formError && (
        <p role="alert" class="notice notice-error">
          {formError}
        </p>
      )}
      {step === 1 ? (
        <form onSubmit={(e) => void next(e)} noValidate>
          <h2>{t('stepOf', { n: 1, name: t('stepScope') })}</h2>
          <label for={fieldId('ruleName')}>{t('ruleName')}</label>
          <input value={draft.ruleName} onInput={(e) => set('ruleName', e.currentTarget.value)} autocomplete="off" {...describedBy('ruleName', at('ruleName'), true)} />
          <FieldHelp path="ruleName">{t('ruleNameHelp')}</FieldHelp>
          <FieldErrors path="ruleName" errors={at('ruleName')} />

          <label for={fieldId('regionId')}>{t('region')}</label>
          <input value={draft.regionId} onInput={(e) => set('regionId', e.currentTarget.value)} autocomplete="off" {...describedBy('regionId', at('regionId'))} />
          <FieldErrors path="regionId" errors={at('regionId')} />

          <fieldset id={fieldId('eventTypes')} tabIndex={-1} {...(at('eventTypes').length > 0 ? { 'aria-describedby': `${fieldId('eventTypes')}-error` } : {})}>
            <legend>{t('eventTypes')}</legend>
            {EVENT_TYPES.map((type) => (
              <label key={type}>
                <input type="checkbox" name="eventTypes" value={type} checked={draft.eventTypes.includes(type)} onChange={(e) => toggleType(type, e.currentTarget.checked)} />
                {shortType(type)} <span class="hint">({statusesOf(type).join(', ')})</span>
              </label>
            ))}
            <FieldErrors path="eventTypes" errors={at('eventTypes')} />
          </fieldset>

          {draft.eventTypes.length > 0 && (
            <fieldset id={fieldId('eventStatuses')} tabIndex={-1}>
              <legend>{t('colStatus')}</legend>
              <small id="statuses-help">{t('statusesHelp')}</small>
              {statusChoices(draft.eventTypes).map(({ status, types }) => (
                <label key={status}>
                  <input type="checkbox" name="eventStatuses" value={status} aria-describedby="statuses-help" checked={draft.eventStatuses.includes(status)} onChange={(e) => toggleStatus(status, e.currentTarget.checked)} />
                  {status} <span class="hint">({t('statusesOf', { type: types.map(shortType).join(', ') })})</span>
                </label>
              ))}
              <FieldErrors path="eventStatuses" errors={at('eventStatuses')} />
            </fieldset>
          )}

          <fieldset id={fieldId('scope')} tabIndex={-1}>
            <legend>{t('scope')}</legend>
            {(['INSTANCE', 'NAMESPACE', 'REPO'] as const).map((type) => (
              <label key={type}>
                <input type="radio" name="scopeType" value={type} checked={draft.scopeType === type} onChange={() => set('scopeType', type)} />
                {type === 'INSTANCE' ? t('scopeTypeInstance') : type === 'NAMESPACE' ? t('scopeTypeNamespace') : t('scopeTypeRepo')}
              </label>
            ))}
            <FieldErrors path="scope" errors={details.filter((d) => d.path === 'scope').map((d) => d.message)} />
          </fieldset>
          {draft.scopeType === 'NAMESPACE' && (
            <>
              <label for={fieldId('scope.namespaces')}>{t('namespaces')}</label>
              <input value={draft.namespaces} onInput={(e) => set('namespaces', e.currentTarget.value)} {...describedBy('scope.namespaces', at('scope.namespaces'))} />
              <FieldErrors path="scope.namespaces" errors={at('scope.namespaces')} />
            </>
          )}
          {draft.scopeType === 'REPO' && (
            <>
              <label for={fieldId('scope.namespace')}>{t('namespace')}</label>
              <input value={draft.namespace} onInput={(e) => set('namespace', e.currentTarget.value)} {...describedBy('scope.namespace', at('scope.namespace'))} />
              <FieldErrors path="scope.namespace" errors={at('scope.namespace')} />
              <label for={fieldId('scope.repoNames')}>{t('repoNames')}</label>
              <input value={draft.repoNames} onInput={(e) => set('repoNames', e.currentTarget.value)} {...describedBy('scope.repoNames', at('scope.repoNames'))} />
              <FieldErrors path="scope.repoNames" errors={at('scope.repoNames')} />
            </>
          )}

          <label for={fieldId('tagPattern')}>{t('tagPattern')}</label>
          <input value={draft.tagPattern} onInput={(e) => set('tagPattern', e.currentTarget.value)} spellcheck={false} autocomplete="off" {...describedBy('tagPattern', at('tagPattern'))} />
          <FieldErrors path="tagPattern" errors={at('tagPattern')} />
          <label for={fieldId('sampleTags')}>{t('sampleTags')}</label>
          <input value={draft.sampleTags} onInput={(e) => set('sampleTags', e.currentTarget.value)} spellcheck={false} autocomplete="off" id={fieldId('sampleTags')} aria-describedby="tag-check" />
          <TagCheck pattern={draft.tagPattern} samples={draft.sampleTags} />

          <label>
            <input type="checkbox" role="switch" checked={draft.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
            {t('enabledField')}
          </label>

          <div class="wizard-buttons">
            <a href={hrefOf({ page: 'rules', instanceId })} role="button" class="secondary outline">
              {t('cancel')}
            </a>
            <button type="submit">{t('next')}</button>
          </div>
        </form>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate>
          <h2>{t('stepOf', { n: 2, name: t('stepNotification') })}</h2>
          {editing && original && (
            <>
              <p>
                {t('currentTarget', { target: `${original.rule.notify.method} ${describeTarget(original.rule)}` })}
                {original.rule.notify.secretSet ? ` (${t('secretSet')})` : ''}
              </p>
              <label>
                <input type="checkbox" checked={replaceTarget} onChange={(e) => setReplaceTarget(e.currentTarget.checked)} />
                {t('replaceTarget')}
              </label>
            </>
          )}
          {replaceTarget && (
            <>
              <label for={fieldId('notify.method')}>{t('method')}</label>
              <select id={fieldId('notify.method')} value={draft.method} onChange={(e) => set('method', NOTIFY_METHODS.find((m) => m === e.currentTarget.value) ?? 'dingtalk')}>
                <option value="dingtalk">{t('methodDingtalk')}</option>
                <option value="https">{t('methodHttps')}</option>
                <option value="http">{t('methodHttp')}</option>
                <option value="feishu">{t('methodFeishu')}</option>
                <option value="wecom">{t('methodWecom')}</option>
                <option value="slack">{t('methodSlack')}</option>
              </select>
              <FieldErrors path="notify" errors={notifyErrors} />
              {isChatMethod(draft.method) ? (
                <>
                  <label for={fieldId('notify.webhookUrl')}>{t('webhookUrl')}</label>
                  <input type="url" value={draft.webhookUrl} onInput={(e) => set('webhookUrl', e.currentTarget.value)} placeholder={WEBHOOK_PLACEHOLDER[draft.method]} autocomplete="off" spellcheck={false} {...describedBy('notify.webhookUrl', at('notify.webhookUrl'))} />
                  <FieldErrors path="notify.webhookUrl" errors={at('notify.webhookUrl')} />
                </>
              ) : (
                <>
                  <label for={fieldId('notify.url')}>{t('url')}</label>
                  <input type="url" value={draft.url} onInput={(e) => set('url', e.currentTarget.value)} placeholder="https://hooks.example.com/registry" autocomplete="off" spellcheck={false} {...describedBy('notify.url', at('notify.url'))} />
                  <FieldErrors path="notify.url" errors={at('notify.url')} />
                </>
              )}
              {takesSecret(draft.method) && (
                <>
                  <label for={fieldId('notify.secret')}>{t('secret')}</label>
                  <input type="password" value={draft.secret} onInput={(e) => set('secret', e.currentTarget.value)} autocomplete="new-password" spellcheck={false} {...describedBy('notify.secret', at('notify.secret'), true)} />
                  <FieldHelp path="notify.secret">{draft.method === 'dingtalk' ? t('secretHelpDingtalk') : draft.method === 'feishu' ? t('secretHelpFeishu') : t('secretHelpHttp')}</FieldHelp>
                  <FieldErrors path="notify.secret" errors={at('notify.secret')} />
                </>
              )}
            </>
          )}
          {(isChatMethod(draft.method) || (editing && !replaceTarget && original !== undefined && isChatMethod(original.rule.notify.method))) && (
            <>
              <label for={fieldId('template')}>{t('template')}</label>
              <textarea rows={4} value={draft.template} onInput={(e) => set('template', e.currentTarget.value)} spellcheck={false} {...describedBy('template', templateErrors, true)} />
              <FieldHelp path="template">{t('templateHelp', { list: TEMPLATE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(' ') })}</FieldHelp>
              <FieldErrors path="template" errors={templateErrors} />
              <h3 id="preview-title">{t('preview')}</h3>
              <pre class="preview" aria-labelledby="preview-title" tabIndex={0}>
                {draft.template.trim() === '' ? t('previewDefault') : renderTemplate(draft.template, sampleValues(draft, instanceId))}
              </pre>
            </>
          )}
          <div class="wizard-buttons">
            <button type="button" class="secondary outline" onClick={() => setStep(1)}>
              {t('back')}
            </button>
            <button type="submit" aria-busy={busy ? 'true' : undefined} disabled={busy}>
              {editing ? t('save') : t('create')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
