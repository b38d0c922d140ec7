/** The signed-in user and their bearer token, kept on the device across reloads. */
import { defineStore } from 'pinia'
import { api } from '@/api'
import type { LoginResponse, User } from '@/api/types'

const STORAGE_KEY = 'lotwise.session'

interface Saved {
  token: string
  user: User
}

function load(): Saved | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY)
    return raw ? (JSON.parse(raw) as Saved) : null
  } catch {
    return null
  }
}

export const useSessionStore = defineStore('session', {
  state: () => {
    const saved = load()
    return {
      token: saved?.token ?? (null as string | null),
      user: saved?.user ?? (null as User | null),
      /** Set when the server said 401: sign-in shows why, queued work stays. */
      expired: false,
      /** Last username, to prefill sign-in after expiry. */
      lastUsername: saved?.user.username ?? '',
    }
  },
  getters: {
    signedIn: (s) => s.token !== null && s.user !== null,
    userId: (s) => (s.user ? String(s.user.id) : ''),
  },
  actions: {
    async login(username: string, password: string): Promise<User> {
      const res = await api.post<LoginResponse>('/auth/login', { username, password }, { skipAuthHandling: true })
      this.token = res.access_token
      this.user = res.user
      this.expired = false
      this.lastUsername = res.user.username
      this.persist()
      return res.user
    },
    /** Check the stored token and refresh the user (roles may have changed). A network error
     *  keeps the session: the handheld may be starting offline. A 401 expires it via the client. */
    async refresh(): Promise<void> {
      if (!this.token) return
      try {
        const user = await api.get<User>('/auth/me', { timeoutMs: 8000 })
        if (user && typeof user === 'object' && 'username' in user) {
          this.user = user
          this.persist()
        }
      } catch {
        /* offline or server trouble: keep what we have */
      }
    },
    async logout(): Promise<void> {
      try {
        await api.post('/auth/logout', undefined, { skipAuthHandling: true, timeoutMs: 4000 })
      } catch {
        /* signing out locally is what matters */
      }
      this.clear()
    },
    /** The server no longer accepts the token. Queued work is NOT touched. */
    expire(): void {
      if (!this.token) return
      this.clear()
      this.expired = true
    },
    clear(): void {
      this.token = null
      this.user = null
      try {
        localStorage.removeItem(STORAGE_KEY)
      } catch {
        /* ignore */
      }
    },
    persist(): void {
      if (!this.token || !this.user) return
      try {
        localStorage.setItem(STORAGE_KEY, JSON.stringify({ token: this.token, user: this.user } satisfies Saved))
      } catch {
        /* storage full or private mode: the session lasts until reload */
      }
    },
  },
})
