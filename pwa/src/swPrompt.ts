/** "A new version is ready" notice, loaded only when a new service worker is waiting. */
import { showConfirmDialog } from 'vant'
import 'vant/es/dialog/style'
import { i18n } from './i18n'

export function promptUpdate(apply: () => void): void {
  void showConfirmDialog({
    title: i18n.global.t('update.ready'),
    confirmButtonText: i18n.global.t('update.reload'),
    cancelButtonText: i18n.global.t('common.cancel'),
  })
    .then(apply)
    .catch(() => {})
}
