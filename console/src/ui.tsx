/** Small shared pieces: field wrappers that show the API's field errors, status lines, badges. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import type { ErrorDetail, RuleView } from './api';
import { useI18n } from './i18n';
import type { MessageKey } from './i18n/en';

/** The API's `details[]` whose path is `path` or lies below it (`scope.namespaces.0` under `scope.namespaces`). */
export function errorsAt(details: readonly ErrorDetail[], path: string): string[] {
  return details.filter((d) => d.path === path || d.path.startsWith(`${path}.`)).map((d) => d.message);
}

export function fieldId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/** Props that tie an input to its errors and help text for assistive technology. */
export function describedBy(path: string, errors: readonly string[], help?: boolean) {
  const ids = [help ? `${fieldId(path)}-help` : '', errors.length > 0 ? `${fieldId(path)}-error` : ''].filter((s) => s !== '');
  return {
    id: fieldId(path),
    ...(errors.length > 0 ? { 'aria-invalid': 'true' as const } : {}),
    ...(ids.length > 0 ? { 'aria-describedby': ids.join(' ') } : {}),
  };
}

export function FieldHelp({ path, children }: { path: string; children: ComponentChildren }) {
  return <small id={`${fieldId(path)}-help`}>{children}</small>;
}

export function FieldErrors({ path, errors }: { path: string; errors: readonly string[] }) {
  if (errors.length === 0) return null;
  return (
    <small id={`${fieldId(path)}-error`} class="field-error">
      {errors.join(' ')}
    </small>
  );
}

export type Notice = { kind: 'ok' | 'error'; text: string } | undefined;

/** The page's status line; it can take focus (tabindex -1) when the control a user acted on is gone. */
export function NoticeLine({ notice, id }: { notice: Notice; id?: string }) {
  return (
    <p role="status" aria-live="polite" tabIndex={-1} {...(id ? { id } : {})} class={notice ? `notice notice-${notice.kind}` : 'notice-empty'}>
      {notice?.text ?? ''}
    </p>
  );
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

export const STATE_KEYS: Record<string, MessageKey> = {
  delivered: 'stateDelivered',
  pending: 'statePending',
  retrying: 'stateRetrying',
  throttled: 'stateThrottled',
  failed: 'stateFailed',
  dead: 'stateDead',
  suspended: 'stateSuspended',
};

export function StateBadge({ state }: { state: string }) {
  const { t } = useI18n();
  const key = STATE_KEYS[state];
  return <span class={`badge badge-${state}`}>{key ? t(key) : state}</span>;
}

/** After an action whose button went away with a re-render (Resume, Delete), keyboard focus goes to `id` instead of the page's top. */
export function keepFocusNear(id: string): void {
  requestAnimationFrame(() => {
    const active = document.activeElement;
    if (active === null || active === document.body || !active.isConnected) document.getElementById(id)?.focus();
  });
}

/** Whether the user is already typing or choosing in a form field (focus must not be taken from them). */
function userIsInAField(): boolean {
  const active = document.activeElement;
  return active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement || active instanceof HTMLSelectElement;
}

/**
 * A page's heading takes focus when the page opens, so keyboard and screen-reader users
 * land on it — unless they already reached a field of the new page before the effect ran
 * (a slow machine), in which case their typing keeps its place.
 */
export function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (userIsInAField()) return;
    ref.current?.focus();
  }, []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One Intl formatter per language: building one per call costs more than the row it formats. */
export function formatTime(iso: string | undefined, lang: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let formatter = formatters.get(lang);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' });
    formatters.set(lang, formatter);
  }
  return formatter.format(date);
}

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A labelled, horizontally scrollable table: caption for screen readers, column headers, rows. */
export function DataTable({ caption, columns, children }: { caption: string; columns: readonly string[]; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table class="striped">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/**
 * A destructive action asked twice, inline (no dialog): the first button turns into
 * "… for good" and Cancel. `label` is the accessible name of the first button.
 */
export function ConfirmButton(props: { text: string; label: string; confirmText: string; cancelText: string; disabled?: boolean; onConfirm: () => void }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" class="secondary outline" disabled={props.disabled} aria-label={props.label} onClick={() => setAsking(true)}>
        {props.text}
      </button>
    );
  }
  return (
    <>
      <button
        type="button"
        class="danger"
        disabled={props.disabled}
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        {props.confirmText}
      </button>
      <button type="button" class="secondary outline" onClick={() => setAsking(false)}>
        {props.cancelText}
      </button>
    </>
  );
}

/** A labelled choice of one of the instance's rules, or any (the empty value). */
export function RuleSelect({ id, label, anyLabel, value, onChange, rules }: { id: string; label: string; anyLabel: string; value: string; onChange: (ruleId: string) => void; rules: readonly RuleView[] }) {
  return (
    <div>
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{anyLabel}</option>
        {rules.map((r) => (
          <option key={r.ruleId} value={r.ruleId}>
            {r.ruleName}
          </option>
        ))}
      </select>
    </div>
  );
}
