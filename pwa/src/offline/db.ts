/** The PWA's IndexedDB database: the offline outbox and the small read cache. */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { HttpMethod } from '@/api/client'

export type OutboxStatus = 'pending' | 'refused'

export interface OutboxError {
  status: number | null
  code: string
  title: string
  detail: string
  field?: string | null
}

/** One mutation waiting to reach the server. */
export interface OutboxItem {
  /** Auto-increment: replay order is creation order. */
  seq?: number
  idempotencyKey: string
  method: HttpMethod
  path: string
  body: unknown
  /** Who made it: only that user's session replays it (the audit trail names the actor). */
  userId: string
  /** Words for the pending list, e.g. "收货 12 盒 LOT A123". */
  label: string
  createdAt: number
  status: OutboxStatus
  attempts: number
  nextAttemptAt: number
  lastError: OutboxError | null
}

export type CacheKind = 'product' | 'lot' | 'location' | 'scan'

export interface CacheEntry {
  kind: CacheKind
  key: string
  value: unknown
  seenAt: number
}

export interface LotwiseDB extends DBSchema {
  outbox: {
    key: number
    value: OutboxItem
    indexes: { byKey: string; byStatus: string }
  }
  cache: {
    key: [string, string]
    value: CacheEntry
    indexes: { bySeenAt: number }
  }
}

export const DB_NAME = 'lotwise'
export const DB_VERSION = 1

export type Db = IDBPDatabase<LotwiseDB>

export function openLotwiseDb(name: string = DB_NAME): Promise<Db> {
  return openDB<LotwiseDB>(name, DB_VERSION, {
    upgrade(db) {
      const outbox = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true })
      outbox.createIndex('byKey', 'idempotencyKey', { unique: true })
      outbox.createIndex('byStatus', 'status')
      const cache = db.createObjectStore('cache', { keyPath: ['kind', 'key'] })
      cache.createIndex('bySeenAt', 'seenAt')
    },
  })
}

/** The storage is full. Shown to the user as such: never swallowed. */
export class StorageFullError extends Error {
  constructor(cause?: unknown) {
    super('QuotaExceededError')
    this.name = 'StorageFullError'
    this.cause = cause
  }
}

export function isQuotaError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false
  const e = err as { name?: string; code?: number; inner?: unknown; cause?: unknown }
  if (e.name === 'QuotaExceededError' || e.code === 22 || e.name === 'NS_ERROR_DOM_QUOTA_REACHED') return true
  return isQuotaError(e.cause)
}

/** Run an IndexedDB write and turn a quota failure into StorageFullError. */
export async function guardQuota<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op()
  } catch (err) {
    if (isQuotaError(err)) throw new StorageFullError(err)
    throw err
  }
}
