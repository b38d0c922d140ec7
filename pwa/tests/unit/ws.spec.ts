import { describe, expect, it } from 'vitest'
import { parseEvent, wsUrl } from '@/api/ws'

describe('live socket', () => {
  it('builds ws/wss URLs with the token as a query parameter', () => {
    expect(wsUrl('a b', { protocol: 'http:', host: 'pda.local:8000' })).toBe('ws://pda.local:8000/ws?token=a%20b')
    expect(wsUrl('t', { protocol: 'https:', host: 'lotwise.example' })).toBe('wss://lotwise.example/ws?token=t')
  })

  it('parses {topic, data} events and ignores anything else', () => {
    expect(parseEvent('{"topic":"station.scan","data":{"raw":"01\\u001d"}}')).toEqual({ topic: 'station.scan', data: { raw: '01\u001d' } })
    expect(parseEvent('{"topic":"alert.raised"}')).toEqual({ topic: 'alert.raised', data: {} })
    expect(parseEvent('not json')).toBeNull()
    expect(parseEvent('{"data":{}}')).toBeNull()
    expect(parseEvent(new ArrayBuffer(2))).toBeNull()
  })
})
