/** Sign-in: the key goes to POST /v1/sessions once and is dropped from the page right after. */
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import type { Me } from '../api';
import { useI18n } from '../i18n';
import { describedBy, FieldErrors, FieldHelp, messageOf, PageTitle } from '../ui';

export function SignInPage({ ended, onSignedIn }: { ended: boolean; onSignedIn: (me: Me) => void }) {
  const { t } = useI18n();
  const [error, setError] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const form = event.currentTarget;
    if (!(form instanceof HTMLFormElement)) return;
    const input = form.elements.namedItem('apiKey');
    if (!(input instanceof HTMLInputElement)) return;
    const apiKey = input.value.trim();
    // The key leaves the page's state as soon as it is sent.
    input.value = '';
    if (apiKey === '') return;
    setBusy(true);
    setError([]);
    try {
      const session = await api.signIn(apiKey);
      onSignedIn(session.principal);
    } catch (e) {
      // The API's own 401 text speaks of an Authorization header; a person typed a key.
      setError([e instanceof ApiError && e.status === 401 ? t('signInRejected') : messageOf(e)]);
      input.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <article class="narrow">
      <PageTitle>{t('signInTitle')}</PageTitle>
      {ended && <p role="alert">{t('sessionEnded')}</p>}
      <form onSubmit={(e) => void submit(e)}>
        <label for="f-apiKey">{t('apiKey')}</label>
        <input name="apiKey" type="password" autocomplete="off" spellcheck={false} required {...describedBy('apiKey', error, true)} />
        <FieldHelp path="apiKey">{t('signInHelp')}</FieldHelp>
        <FieldErrors path="apiKey" errors={error} />
        <button type="submit" aria-busy={busy ? 'true' : undefined} disabled={busy}>
          {t('signIn')}
        </button>
      </form>
    </article>
  );
}
