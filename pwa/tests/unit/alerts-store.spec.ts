import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { eventKey, toastOf, useAlertsStore } from '@/stores/alerts'
import { api } from '@/api'

const raised = { alert: 7, severity: 'critical', title: '冻结批次仍有预留', title_en: 'Blocked lot still reserved', level: 1, state: 'open' }

describe('alerts store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.spyOn(api, 'get').mockResolvedValue({ open: 4, by_state: { open: 4 }, open_by_severity: { critical: 1, warning: 3, info: 0 } })
  })

  it('makes toasts only for raised and escalated alerts', () => {
    expect(toastOf('alert.raised', raised, 'k')?.severity).toBe('critical')
    expect(toastOf('alert.escalated', { ...raised, severity: 'odd' }, 'k')?.severity).toBe('warning')
    expect(toastOf('alert.resolved', raised, 'k')).toBeNull()
    expect(toastOf('alert.raised', { title: 'x' }, 'k')).toBeNull()
  })

  it('shows one toast per event even when it arrives on two channels, and refreshes the badge', async () => {
    const store = useAlertsStore()
    expect(store.receive('alert.raised', raised, 101)).not.toBeNull()
    expect(store.receive('alert.raised', raised, 101)).toBeNull()
    expect(store.toasts).toHaveLength(1)
    await vi.waitFor(() => expect(store.open).toBe(4))
    expect(store.critical).toBe(1)
    expect(api.get).toHaveBeenCalledWith('/alerts/counts', expect.anything())
  })

  it('replaces the toast of an escalated alert and drops it when resolved', () => {
    const store = useAlertsStore()
    store.receive('alert.raised', raised, 1)
    store.receive('alert.escalated', { ...raised, level: 2 }, 2)
    expect(store.toasts.map((x) => x.topic)).toEqual(['alert.escalated'])
    store.receive('alert.resolved', { alert: 7 }, 3)
    expect(store.toasts).toEqual([])
    expect(store.version).toBe(3)
  })

  it('keys events without an id by their content', () => {
    expect(eventKey('alert.raised', raised)).toBe('alert.raised:7:1:open')
    expect(eventKey('alert.raised', raised, 9)).toBe('e9')
  })
})

describe('alerts for my roles', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.spyOn(api, 'get').mockResolvedValue({ open: 0, by_state: {}, open_by_severity: {} })
  })
  it('ignores broadcast alerts of other roles (a registration alert on a warehouse handheld)', async () => {
    const { forRoles } = await import('@/stores/alerts')
    const reg = { ...raised, roles: ['purchaser', 'qa'] }
    expect(forRoles(reg, ['warehouse'])).toBe(false)
    expect(forRoles(reg, ['qa'])).toBe(true)
    expect(forRoles(reg, ['admin'])).toBe(true)
    expect(forRoles(raised, ['warehouse'])).toBe(true)
    const store = useAlertsStore()
    expect(store.receive('alert.raised', reg, 5, ['warehouse'])).toBeNull()
    expect(store.toasts).toEqual([])
    expect(store.receive('alert.raised', reg, 5, ['qa'])).not.toBeNull()
  })
})
