import { beforeEach, describe, expect, it, vi } from 'vitest'
import { NetworkError, ProblemError } from '@/api/client'
import { StorageFullError, isQuotaError, openLotwiseDb, type Db, type OutboxItem } from '@/offline/db'
import { OfflineQueue, backoffDelay, type NewMutation } from '@/offline/queue'
import { ReadCache } from '@/offline/cache'

let dbName = ''
let db: Db
let clock = 1_000_000

const now = () => clock

function problem(status: number, code: string, detail = code) {
  return new ProblemError({ type: 'about:blank', title: code, status, detail, code, field: null })
}

function mutation(label: string, extra: Partial<NewMutation> = {}): NewMutation {
  return { method: 'POST', path: '/receipts', body: { label }, label, userId: 'u1', ...extra }
}

beforeEach(async () => {
  dbName = `lotwise-test-${Math.random()}`
  db = await openLotwiseDb(dbName)
  clock = 1_000_000
})

describe('OfflineQueue', () => {
  it('stores mutations with their idempotency keys and survives a reload', async () => {
    const q = new OfflineQueue(db, async () => {}, { now })
    const a = await q.enqueue(mutation('A', { idempotencyKey: 'key-a' }))
    await q.enqueue(mutation('B'))
    db.close()
    const reopened = await openLotwiseDb(dbName)
    const q2 = new OfflineQueue(reopened, async () => {}, { now })
    const items = await q2.list()
    expect(items.map((i) => i.label)).toEqual(['A', 'B'])
    expect(items[0]!.idempotencyKey).toBe('key-a')
    expect(items[1]!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/)
    expect(a.status).toBe('pending')
  })

  it('does not store the same idempotency key twice', async () => {
    const q = new OfflineQueue(db, async () => {}, { now })
    await q.enqueue(mutation('A', { idempotencyKey: 'same' }))
    await q.enqueue(mutation('A again', { idempotencyKey: 'same' }))
    expect(await q.list()).toHaveLength(1)
  })

  it('replays in creation order and removes what the server accepted', async () => {
    const sent: string[] = []
    const q = new OfflineQueue(db, async (item) => void sent.push(item.label), { now })
    for (const l of ['1', '2', '3']) await q.enqueue(mutation(l))
    const report = await q.flush('u1')
    expect(sent).toEqual(['1', '2', '3'])
    expect(report).toMatchObject({ sent: 3, refused: 0, stopped: false })
    expect(await q.list()).toEqual([])
  })

  it('keeps a refused item with the server reason, and goes on with the next', async () => {
    const q = new OfflineQueue(
      db,
      async (item) => {
        if (item.label === 'bad') throw problem(409, 'LOT_EXPIRED', '批次已过期')
      },
      { now },
    )
    await q.enqueue(mutation('ok-1'))
    await q.enqueue(mutation('bad'))
    await q.enqueue(mutation('ok-2'))
    const report = await q.flush('u1')
    expect(report).toMatchObject({ sent: 2, refused: 1 })
    const left = await q.list()
    expect(left).toHaveLength(1)
    expect(left[0]).toMatchObject({ label: 'bad', status: 'refused' })
    expect(left[0]!.lastError).toMatchObject({ status: 409, code: 'LOT_EXPIRED', detail: '批次已过期' })
    // A later round does not touch it again: refused items wait for the user.
    const again = await q.flush('u1')
    expect(again.sent + again.refused).toBe(0)
    expect(await q.list()).toHaveLength(1)
  })

  it('keeps items queued on a network error, backs off, and stops so nothing overtakes', async () => {
    const send = vi.fn(async (item: OutboxItem) => {
      if (item.label === 'first') throw new NetworkError('offline')
    })
    const q = new OfflineQueue(db, send, { now, baseDelayMs: 1000, random: () => 0.5 })
    await q.enqueue(mutation('first'))
    await q.enqueue(mutation('second'))
    const report = await q.flush('u1')
    expect(report).toMatchObject({ sent: 0, stopped: true, stopReason: 'network' })
    expect(send).toHaveBeenCalledTimes(1)
    const [first] = await q.list()
    expect(first).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: clock + 1000 })

    // Before the backoff has passed nothing is sent…
    await q.flush('u1')
    expect(send).toHaveBeenCalledTimes(1)
    // …after it, both go, in order.
    clock += 1000
    send.mockImplementation(async () => {})
    const later = await q.flush('u1')
    expect(later.sent).toBe(2)
    expect(send.mock.calls.map((c) => c[0].label)).toEqual(['first', 'first', 'second'])
  })

  it('treats 5xx and IDEMPOTENCY_IN_PROGRESS as "try again later"', async () => {
    const q = new OfflineQueue(db, async (item) => {
      throw item.label === 'a' ? problem(503, 'HTTP_503') : problem(409, 'IDEMPOTENCY_IN_PROGRESS')
    }, { now })
    await q.enqueue(mutation('a'))
    expect((await q.flush('u1')).stopReason).toBe('server')
    const q2 = new OfflineQueue(await openLotwiseDb(`${dbName}-2`), async () => {
      throw problem(409, 'IDEMPOTENCY_IN_PROGRESS')
    }, { now })
    await q2.enqueue(mutation('b'))
    await q2.flush('u1')
    expect((await q2.list())[0]!.status).toBe('pending')
  })

  it('stops on 401 and keeps everything pending for after sign-in', async () => {
    const q = new OfflineQueue(db, async () => {
      throw problem(401, 'AUTH_EXPIRED')
    }, { now })
    await q.enqueue(mutation('a'))
    await q.enqueue(mutation('b'))
    const report = await q.flush('u1')
    expect(report.stopReason).toBe('unauthorized')
    expect((await q.list()).map((i) => i.status)).toEqual(['pending', 'pending'])
  })

  it("replays only the signed-in user's items", async () => {
    const sent: string[] = []
    const q = new OfflineQueue(db, async (item) => void sent.push(item.label), { now })
    await q.enqueue(mutation('mine'))
    await q.enqueue(mutation('theirs', { userId: 'u2' }))
    await q.flush('u1')
    expect(sent).toEqual(['mine'])
    expect((await q.list()).map((i) => i.label)).toEqual(['theirs'])
  })

  it('lets the user put a refused item back in line', async () => {
    let refuse = true
    const q = new OfflineQueue(db, async () => {
      if (refuse) throw problem(422, 'VALIDATION')
    }, { now })
    const item = await q.enqueue(mutation('x'))
    await q.flush('u1')
    refuse = false
    await q.retry(item.seq!)
    expect((await q.flush('u1')).sent).toBe(1)
  })

  it('shares one replay round between concurrent flush calls', async () => {
    const send = vi.fn(async () => {})
    const q = new OfflineQueue(db, send, { now })
    await q.enqueue(mutation('a'))
    await Promise.all([q.flush('u1'), q.flush('u1'), q.flush('u1')])
    expect(send).toHaveBeenCalledTimes(1)
  })

  it('turns a quota failure into StorageFullError', async () => {
    const q = new OfflineQueue(db, async () => {}, { now })
    const spy = vi.spyOn(db, 'add').mockRejectedValueOnce(new DOMException('full', 'QuotaExceededError'))
    await expect(q.enqueue(mutation('big'))).rejects.toBeInstanceOf(StorageFullError)
    spy.mockRestore()
    expect(isQuotaError({ name: 'AbortError', cause: { name: 'QuotaExceededError' } })).toBe(true)
  })

  it('backoff grows exponentially up to the cap, with bounded jitter', () => {
    expect(backoffDelay(1, 1000, 60000, 0.5)).toBe(1000)
    expect(backoffDelay(3, 1000, 60000, 0.5)).toBe(4000)
    expect(backoffDelay(20, 1000, 60000, 0.5)).toBe(60000)
    expect(backoffDelay(3, 1000, 60000, 0)).toBe(3200)
    expect(backoffDelay(3, 1000, 60000, 1)).toBe(4800)
  })
})

describe('ReadCache', () => {
  it('returns what was seen, and forgets the oldest beyond the limit', async () => {
    let t = 0
    const cache = new ReadCache(db, { limit: 3, now: () => ++t })
    for (const k of ['a', 'b', 'c', 'd', 'e']) await cache.put('product', k, { name: k })
    expect(await cache.prune()).toBe(2)
    expect(await cache.get('product', 'a')).toBeNull()
    expect(await cache.get('product', 'e')).toEqual({ value: { name: 'e' }, seenAt: 5 })
  })
})
