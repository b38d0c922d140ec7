/** Merges the alerts and ward words into vue-i18n when one of those lazy screens loads. */
import { i18n } from '@/i18n'
import { en, zh } from './messages'

i18n.global.mergeLocaleMessage('zh-CN', zh)
i18n.global.mergeLocaleMessage('en', en)
