/**
 * The offline outbox: mutations made without a connection are stored in IndexedDB with their
 * idempotency keys and replayed in creation order when the connection returns.
 *
 * - a success removes the item;
 * - a refusal (4xx other than "try later") keeps the item as `refused`, with the server's words,
 *   for the user to read item by item; it is never dropped by the queue;
 * - a network error or 5xx keeps it `pending` with exponential backoff and stops this round, so
 *   nothing overtakes it;
 * - 401 stops the round and leaves everything pending for after the next sign-in.
 * Because every item keeps its idempotency key, a replay of something the server already applied
 * (the answer was lost on the way back) changes nothing.
 */
import { NetworkError, ProblemError, newIdempotencyKey, type HttpMethod } from '@/api/client'
import { guardQuota, type Db, type OutboxError, type OutboxItem } from './db'

export interface NewMutation {
  method: HttpMethod
  path: string
  body: unknown
  label: string
  userId: string
  idempotencyKey?: string
}

/** Sends one item; resolves on success, throws ProblemError / NetworkError otherwise. */
export type Sender = (item: OutboxItem) => Promise<unknown>

export interface FlushReport {
  sent: number
  refused: number
  /** True if the round stopped early on a network error, 5xx or 401. */
  stopped: boolean
  stopReason: 'network' | 'server' | 'unauthorized' | null
}

export interface QueueOptions {
  now?: () => number
  baseDelayMs?: number
  maxDelayMs?: number
  /** 0..1 random factor; injectable for tests. */
  random?: () => number
}

export function backoffDelay(attempts: number, base: number, max: number, random: number): number {
  const exp = Math.min(max, base * 2 ** Math.max(0, attempts - 1))
  // Up to 20 % jitter so a ward full of handhelds does not reconnect in lockstep.
  return Math.round(exp * (0.8 + 0.4 * random))
}

function errorOf(err: unknown): OutboxError {
  if (err instanceof ProblemError) {
    const p = err.problem
    return { status: p.status, code: p.code, title: p.title, detail: p.detail, field: p.field ?? null }
  }
  if (err instanceof NetworkError) return { status: null, code: `NETWORK_${err.kind.toUpperCase()}`, title: err.kind, detail: err.message, field: null }
  return { status: null, code: 'CLIENT_ERROR', title: 'error', detail: err instanceof Error ? err.message : String(err), field: null }
}

export class OfflineQueue {
  private readonly db: Db
  private readonly send: Sender
  private readonly now: () => number
  private readonly base: number
  private readonly max: number
  private readonly random: () => number
  private flushing: Promise<FlushReport> | null = null
  private listeners = new Set<() => void>()

  constructor(db: Db, send: Sender, options: QueueOptions = {}) {
    this.db = db
    this.send = send
    this.now = options.now ?? Date.now
    this.base = options.baseDelayMs ?? 2000
    this.max = options.maxDelayMs ?? 5 * 60_000
    this.random = options.random ?? Math.random
  }

  /** Called after every change (for counters in the UI). */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private changed(): void {
    for (const l of this.listeners) l()
  }

  async enqueue(m: NewMutation): Promise<OutboxItem> {
    const item: OutboxItem = {
      idempotencyKey: m.idempotencyKey ?? newIdempotencyKey(),
      method: m.method,
      path: m.path,
      body: m.body,
      label: m.label,
      userId: m.userId,
      createdAt: this.now(),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: 0,
      lastError: null,
    }
    const existing = await this.db.getFromIndex('outbox', 'byKey', item.idempotencyKey)
    if (existing) return existing
    const seq = await guardQuota(() => this.db.add('outbox', item))
    this.changed()
    return { ...item, seq }
  }

  /** Everything in the outbox, in replay order. */
  async list(): Promise<OutboxItem[]> {
    return this.db.getAll('outbox')
  }

  async counts(userId?: string): Promise<{ pending: number; refused: number }> {
    const all = await this.list()
    const mine = userId === undefined ? all : all.filter((i) => i.userId === userId)
    return {
      pending: mine.filter((i) => i.status === 'pending').length,
      refused: mine.filter((i) => i.status === 'refused').length,
    }
  }

  /** Replay the given user's pending items in order. Concurrent calls share one round. */
  flush(userId: string, opts: { force?: boolean } = {}): Promise<FlushReport> {
    if (!this.flushing) {
      this.flushing = this.round(userId, opts.force ?? false).finally(() => {
        this.flushing = null
      })
    }
    return this.flushing
  }

  private async round(userId: string, force: boolean): Promise<FlushReport> {
    const report: FlushReport = { sent: 0, refused: 0, stopped: false, stopReason: null }
    const items = (await this.list()).filter((i) => i.userId === userId && i.status === 'pending')
    for (const item of items) {
      if (!force && item.nextAttemptAt > this.now()) {
        report.stopped = true
        report.stopReason = 'network'
        break
      }
      try {
        await this.send(item)
        await this.db.delete('outbox', item.seq!)
        report.sent++
        this.changed()
      } catch (err) {
        const error = errorOf(err)
        if (err instanceof ProblemError && err.status === 401) {
          await this.update(item, { lastError: error })
          report.stopped = true
          report.stopReason = 'unauthorized'
          break
        }
        if (err instanceof ProblemError && err.isRefusal) {
          await this.update(item, { status: 'refused', attempts: item.attempts + 1, lastError: error })
          report.refused++
          continue
        }
        const attempts = item.attempts + 1
        await this.update(item, {
          attempts,
          nextAttemptAt: this.now() + backoffDelay(attempts, this.base, this.max, this.random()),
          lastError: error,
        })
        report.stopped = true
        report.stopReason = err instanceof ProblemError ? 'server' : 'network'
        break
      }
    }
    return report
  }

  /** Put a refused item back in line (after the user fixed the cause elsewhere). */
  async retry(seq: number): Promise<void> {
    const item = await this.db.get('outbox', seq)
    if (!item) return
    await this.update(item, { status: 'pending', nextAttemptAt: 0 })
  }

  /** Remove an item: only ever on the user's explicit, confirmed request. */
  async discard(seq: number): Promise<void> {
    await this.db.delete('outbox', seq)
    this.changed()
  }

  private async update(item: OutboxItem, patch: Partial<OutboxItem>): Promise<void> {
    await guardQuota(() => this.db.put('outbox', { ...item, ...patch }))
    this.changed()
  }
}
