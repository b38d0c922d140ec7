/** UI state of the offline outbox and the read cache: counts, list, online flag, replay timing. */
import { defineStore } from 'pinia'
import { api } from '@/api'
import { NetworkError, newIdempotencyKey, type HttpMethod } from '@/api/client'
import { openLotwiseDb, StorageFullError, type OutboxItem } from '@/offline/db'
import { OfflineQueue } from '@/offline/queue'
import { ReadCache } from '@/offline/cache'
import { useSessionStore } from './session'

let queue: OfflineQueue | null = null
let cache: ReadCache | null = null
let ready: Promise<void> | null = null

export function offlineReady(): Promise<void> {
  if (!ready) {
    ready = openLotwiseDb().then((db) => {
      queue = new OfflineQueue(db, (item) =>
        api.request(item.method, item.path, { body: item.body, idempotencyKey: item.idempotencyKey, timeoutMs: 20000 }),
      )
      cache = new ReadCache(db)
    })
  }
  return ready
}

export async function readCache(): Promise<ReadCache> {
  await offlineReady()
  return cache!
}

export interface MutateResult<T> {
  queued: boolean
  data?: T
}

export const useOfflineStore = defineStore('offline', {
  state: () => ({
    online: typeof navigator === 'undefined' ? true : navigator.onLine,
    items: [] as OutboxItem[],
    syncing: false,
    storageFull: false,
  }),
  getters: {
    mine(state): OutboxItem[] {
      const userId = useSessionStore().userId
      return state.items.filter((i) => i.userId === userId)
    },
    pendingCount(state): number {
      return state.items.filter((i) => i.status === 'pending').length
    },
    refusedCount(state): number {
      return state.items.filter((i) => i.status === 'refused').length
    },
  },
  actions: {
    async init(): Promise<void> {
      await offlineReady()
      queue!.subscribe(() => void this.refresh())
      await this.refresh()
      window.addEventListener('online', () => {
        this.online = true
        // The connection is back: replay now, not when the backoff of the failed tries ends.
        void this.sync(true)
      })
      window.addEventListener('offline', () => {
        this.online = false
      })
      // Backoff is honoured inside the queue; this just gives it a chance to run.
      setInterval(() => void this.sync(), 15000)
    },
    async refresh(): Promise<void> {
      if (!queue) return
      this.items = await queue.list()
    },
    async sync(force = false): Promise<void> {
      const session = useSessionStore()
      if (!queue || !session.signedIn || this.syncing) return
      this.syncing = true
      try {
        const report = await queue.flush(session.userId, { force })
        if (report.stopReason === 'network') this.online = navigator.onLine
        else if (report.sent > 0) this.online = true
      } finally {
        this.syncing = false
        await this.refresh()
      }
    },
    /**
     * Send a mutation now, or keep it for later if there is no connection. A refusal from the
     * server is thrown to the caller (the user is right there to read it).
     */
    async mutate<T>(method: HttpMethod, path: string, body: unknown, label: string): Promise<MutateResult<T>> {
      const key = newIdempotencyKey()
      try {
        const data = await api.request<T>(method, path, { body, idempotencyKey: key })
        return { queued: false, data }
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err
        await offlineReady()
        try {
          // Plain data only: IndexedDB cannot clone Vue's reactive proxies.
          const plain: unknown = body === undefined ? undefined : JSON.parse(JSON.stringify(body))
          await queue!.enqueue({ method, path, body: plain, label, userId: useSessionStore().userId, idempotencyKey: key })
        } catch (e) {
          if (e instanceof StorageFullError) this.storageFull = true
          throw e
        }
        this.online = false
        return { queued: true }
      }
    },
    async retry(seq: number): Promise<void> {
      await queue?.retry(seq)
      await this.sync(true)
    },
    async discard(seq: number): Promise<void> {
      await queue?.discard(seq)
    },
  },
})
