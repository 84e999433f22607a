/** Instances the key may see, any instance typed in, and the ones opened recently. */
import { useState } from 'preact/hooks';
import type { Me } from '../api';
import { useI18n } from '../i18n';
import { hrefOf, navigate } from '../router';
import { describedBy, FieldErrors, PageTitle } from '../ui';
import { INSTANCE_ID_PATTERN } from '../../../shared/domain/apiKeys';

const RECENT_KEY = 'console.recentInstances';

export function recentInstances(): string[] {
  try {
    const raw: unknown = JSON.parse(window.localStorage.getItem(RECENT_KEY) ?? '[]');
    return Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string' && INSTANCE_ID_PATTERN.test(v)).slice(0, 8) : [];
  } catch {
    return [];
  }
}

export function rememberInstance(instanceId: string): void {
  try {
    const next = [instanceId, ...recentInstances().filter((i) => i !== instanceId)].slice(0, 8);
    window.localStorage.setItem(RECENT_KEY, JSON.stringify(next));
  } catch {
    // Private mode: recent instances are a convenience only.
  }
}

export function InstancesPage({ me }: { me: Me }) {
  const { t } = useI18n();
  const [value, setValue] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  const granted = me.instanceIds.filter((i) => i !== '*');
  const recent = recentInstances().filter((i) => !granted.includes(i));

  function open(event: SubmitEvent) {
    event.preventDefault();
    const instanceId = value.trim();
    if (!INSTANCE_ID_PATTERN.test(instanceId)) {
      setErrors([t('instanceIdInvalid')]);
      return;
    }
    rememberInstance(instanceId);
    navigate({ page: 'rules', instanceId });
  }

  return (
    <section>
      <PageTitle>{t('instancesTitle')}</PageTitle>
      <p>{me.instanceIds.includes('*') ? t('allInstances') : t('instancesHelp')}</p>
      {granted.length > 0 && (
        <ul class="instance-list">
          {granted.map((id) => (
            <li key={id}>
              <a href={hrefOf({ page: 'rules', instanceId: id })} onClick={() => rememberInstance(id)}>
                <code>{id}</code>
              </a>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={open} class="inline-form">
        <label for="f-instanceId">{t('instanceId')}</label>
        <div role="group">
          <input
            name="instanceId"
            value={value}
            placeholder="cri-abc123"
            autocomplete="off"
            spellcheck={false}
            onInput={(e) => setValue(e.currentTarget.value)}
            {...describedBy('instanceId', errors)}
          />
          <button type="submit">{t('open')}</button>
        </div>
        <FieldErrors path="instanceId" errors={errors} />
      </form>
      {recent.length > 0 && (
        <>
          <h2>{t('recentInstances')}</h2>
          <ul class="instance-list">
            {recent.map((id) => (
              <li key={id}>
                <a href={hrefOf({ page: 'rules', instanceId: id })}>
                  <code>{id}</code>
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
