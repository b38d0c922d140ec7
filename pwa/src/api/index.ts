/** The app's API client instance; main.ts plugs in the session (token, expiry handling). */
import { createClient, type ProblemError } from './client'
import { currentLocale } from '@/i18n'

let tokenGetter: () => string | null = () => null
let unauthorizedHandler: (error: ProblemError) => void = () => {}

export function configureApi(options: { getToken: () => string | null; onUnauthorized: (error: ProblemError) => void }): void {
  tokenGetter = options.getToken
  unauthorizedHandler = options.onUnauthorized
}

export const api = createClient({
  baseUrl: '/api/v1',
  getToken: () => tokenGetter(),
  getLanguage: () => currentLocale(),
  onUnauthorized: (e) => unauthorizedHandler(e),
})
