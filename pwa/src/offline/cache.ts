/** A small read cache of recently seen products, lots, locations and scan answers. */
import { guardQuota, type CacheKind, type Db } from './db'

export class ReadCache {
  private readonly db: Db
  private readonly limit: number
  private readonly now: () => number
  private writes = 0

  constructor(db: Db, options: { limit?: number; now?: () => number } = {}) {
    this.db = db
    this.limit = options.limit ?? 500
    this.now = options.now ?? Date.now
  }

  async put(kind: CacheKind, key: string, value: unknown): Promise<void> {
    await guardQuota(() => this.db.put('cache', { kind, key, value, seenAt: this.now() }))
    if (++this.writes % 25 === 0) await this.prune()
  }

  async get<T>(kind: CacheKind, key: string): Promise<{ value: T; seenAt: number } | null> {
    const entry = await this.db.get('cache', [kind, key])
    return entry ? { value: entry.value as T, seenAt: entry.seenAt } : null
  }

  /** Keep only the `limit` most recently seen entries. */
  async prune(): Promise<number> {
    const total = await this.db.count('cache')
    let excess = total - this.limit
    if (excess <= 0) return 0
    const removed = excess
    const tx = this.db.transaction('cache', 'readwrite')
    let cursor = await tx.store.index('bySeenAt').openCursor()
    while (cursor && excess > 0) {
      await cursor.delete()
      excess--
      cursor = await cursor.continue()
    }
    await tx.done
    return removed
  }

  async clear(): Promise<void> {
    await this.db.clear('cache')
  }
}
