/** Query by Event ID: opens that event's trace. */
import { useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { describedBy, FieldErrors, PageTitle } from '../ui';
import { EVENT_ID_PATTERN } from '../../../shared/domain/names';

export function QueryPage({ instanceId }: { instanceId: string }) {
  const { t } = useI18n();
  const [value, setValue] = useState('');
  const [errors, setErrors] = useState<string[]>([]);

  function submit(event: SubmitEvent) {
    event.preventDefault();
    const eventId = value.trim();
    if (!EVENT_ID_PATTERN.test(eventId)) {
      setErrors([t('eventIdInvalid')]);
      return;
    }
    navigate({ page: 'trace', instanceId, eventId });
  }

  return (
    <section>
      <PageTitle>{t('queryTitle')}</PageTitle>
      <form onSubmit={submit} class="inline-form">
        <label for="f-eventId">{t('eventId')}</label>
        <div role="group">
          <input value={value} onInput={(e) => setValue(e.currentTarget.value)} autocomplete="off" spellcheck={false} {...describedBy('eventId', errors)} />
          <button type="submit">{t('query')}</button>
        </div>
        <FieldErrors path="eventId" errors={errors} />
      </form>
    </section>
  );
}
