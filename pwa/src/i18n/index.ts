/** vue-i18n setup: zh-CN first, en second; the choice is remembered on the device. */
import { createI18n } from 'vue-i18n'
import { Locale } from 'vant'
import vantEnUS from 'vant/es/locale/lang/en-US'
import vantZhCN from 'vant/es/locale/lang/zh-CN'
import zhCN from './locales/zh-CN'
import en from './locales/en'

export const LOCALES = ['zh-CN', 'en'] as const
export type AppLocale = (typeof LOCALES)[number]
const STORAGE_KEY = 'lotwise.locale'

export function savedLocale(): AppLocale {
  try {
    const v = localStorage.getItem(STORAGE_KEY)
    if (v === 'en' || v === 'zh-CN') return v
  } catch {
    /* private mode: fall through */
  }
  return 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: savedLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

function applyLocale(locale: AppLocale): void {
  if (typeof document !== 'undefined') document.documentElement.lang = locale
  if (locale === 'en') Locale.use('en-US', vantEnUS)
  else Locale.use('zh-CN', vantZhCN)
}

export function setLocale(locale: AppLocale): void {
  i18n.global.locale.value = locale
  try {
    localStorage.setItem(STORAGE_KEY, locale)
  } catch {
    /* not fatal */
  }
  applyLocale(locale)
}

export function currentLocale(): AppLocale {
  return i18n.global.locale.value as AppLocale
}

applyLocale(savedLocale())
