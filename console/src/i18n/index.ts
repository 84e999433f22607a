/**
 * The console's two languages: chosen from the browser, switchable, remembered in
 * localStorage (a preference, never a secret). Components read strings through `t`.
 * English is built in; 简体中文 is its own chunk, fetched when first chosen.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en } from './en';
export { en };
import type { MessageKey } from './en';

export type Lang = 'en' | 'zh-CN';
export const LANGS: readonly { code: Lang; label: string }[] = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
];
export type Catalogue = Record<MessageKey, string>;

export async function loadCatalogue(lang: Lang): Promise<Catalogue> {
  return lang === 'zh-CN' ? (await import('./zh')).zh : en;
}
const STORAGE_KEY = 'console.lang';

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function initialLang(): Lang {
  const saved = safeStorage()?.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.languages.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

export function rememberLang(lang: Lang): void {
  safeStorage()?.setItem(STORAGE_KEY, lang);
}

function safeStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

export function translator(catalogue: Catalogue): Translate {
  return (key, params) => {
    const text = catalogue[key];
    return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : text;
  };
}

export const I18n = createContext<{ lang: Lang; t: Translate; setLang: (lang: Lang) => void }>({
  lang: 'en',
  t: translator(en),
  setLang: () => undefined,
});

export function useI18n() {
  return useContext(I18n);
}
