/** Scanner set-up screen: switching the profile changes how the wedge reads GS. No API stubs needed. */
import { expect, test } from '@playwright/test'
import { wedgeBurst } from './helpers'

test('a "~ stands for GS" profile turns ~ into GS, shown as a GS tag on the test area', async ({ page }) => {
  await page.addInitScript(() => {
    localStorage.setItem('lotwise.session', JSON.stringify({ token: 't', user: { id: 1, username: 'li', full_name: '李工', roles: [], warehouse_ids: [], department_ids: [] } }))
  })
  await page.goto('/')
  await page.getByTestId('scanner-settings').click()
  await expect(page.getByTestId('scanner-test')).toContainText('GS 分隔符')

  await wedgeBurst(page, '0104012345678901' + '10LOT7~17271231', 3, false)
  await expect(page.getByTestId('scanner-test-raw')).toHaveText('010401234567890110LOT7~17271231')

  await expect(page.getByTestId('profile-brace-gs')).toContainText('{GS}')
  await page.getByTestId('profile-tilde-gs').click()
  await wedgeBurst(page, '0104012345678901' + '10LOT7~17271231', 3, false)
  await expect(page.getByTestId('scanner-test-raw')).toHaveText(/^\s*010401234567890110LOT7\s*GS\s*17271231\s*$/)
  await expect(page.getByTestId('scanner-test-ctrl')).toHaveText('GS')
  await expect(page.getByTestId('scanner-test')).toContainText('1 个 GS')
  await page.screenshot({ path: 'test-results/screens/scanner-zh-360x640.png', fullPage: true })

  // The choice is remembered on the device.
  await page.reload()
  await expect(page.getByTestId('profile-tilde-gs')).toHaveAttribute('aria-checked', 'true')
})
