import { describe, expect, it, vi } from 'vitest'
import { DEFAULT_PROFILE, GS, WedgeDetector, attachWedge, charOf, restoreGs, type KeyInput, type WedgeProfile } from '@/scanning/wedge'

/** Type `text` as keystrokes `gap` ms apart starting at `t0`; returns the decisions. */
function typeInto(d: WedgeDetector, keys: Array<string | Partial<KeyInput>>, gap: number, t0 = 1000) {
  return keys.map((k, i) => d.feed({ time: t0 + i * gap, ...(typeof k === 'string' ? { key: k } : { key: '', ...k }) }))
}
const chars = (s: string) => [...s]
const profile = (p: Partial<WedgeProfile>): WedgeProfile => ({ ...DEFAULT_PROFILE, ...p })

describe('wedge burst detection', () => {
  it('reports a fast burst ended by Enter as one scan', () => {
    const d = new WedgeDetector()
    const out = typeInto(d, [...chars('0104012345678901'), 'Enter'], 8)
    expect(out.at(-1)).toEqual({ kind: 'scan', raw: '0104012345678901' })
  })

  it('lets the first keystroke through and swallows the rest of a burst', () => {
    const d = new WedgeDetector()
    const out = typeInto(d, chars('ABC123'), 5)
    expect(out[0]).toEqual({ kind: 'pass' })
    expect(out.slice(1).every((o) => o.kind === 'swallow')).toBe(true)
  })

  it('treats human typing (slow keys) as typing, Enter included', () => {
    const d = new WedgeDetector()
    const out = typeInto(d, [...chars('ABC123'), 'Enter'], 140)
    expect(out.every((o) => o.kind === 'pass')).toBe(true)
  })

  it('ignores bursts shorter than the minimum length', () => {
    const d = new WedgeDetector(profile({ minLength: 6 }))
    const out = typeInto(d, [...chars('12345'), 'Enter'], 5)
    expect(out.at(-1)).toEqual({ kind: 'pass' })
  })

  it('starts over when a gap exceeds the threshold', () => {
    const d = new WedgeDetector()
    typeInto(d, chars('xy'), 5, 0)
    const out = typeInto(d, [...chars('LOT12345'), 'Enter'], 5, 1000)
    expect(out.at(-1)).toEqual({ kind: 'scan', raw: 'LOT12345' })
  })

  it('uses Tab as terminator when the profile says so, and Enter is then data-free', () => {
    const d = new WedgeDetector(profile({ terminator: 'Tab' }))
    const out = typeInto(d, [...chars('+A123BJC5D6E71G'), 'Tab'], 6)
    expect(out.at(-1)).toEqual({ kind: 'scan', raw: '+A123BJC5D6E71G' })
  })

  it('never trims: leading/trailing spaces (an HIBC check character can be a space) are kept', () => {
    const d = new WedgeDetector()
    const out = typeInto(d, [...chars('+A99912345/$$52001510X3 '), 'Enter'], 4)
    expect(out.at(-1)).toEqual({ kind: 'scan', raw: '+A99912345/$$52001510X3 ' })
  })

  it('skips Shift presses inside a burst without breaking it', () => {
    const d = new WedgeDetector()
    const keys = ['Shift', 'A', 'Shift', 'B', '1', '2', '3', '4', 'Enter']
    const out = typeInto(d, keys, 3)
    expect(out.at(-1)).toEqual({ kind: 'scan', raw: 'AB1234' })
  })

  it('abandons a burst interrupted by a non-character key', () => {
    const d = new WedgeDetector()
    const out = typeInto(d, [...chars('ABC'), 'ArrowDown', ...chars('DEF'), 'Enter'], 5)
    expect(out.at(-1)).toEqual({ kind: 'pass' })
  })

  it('with no terminator, ends the scan after the idle time (tick)', () => {
    const d = new WedgeDetector(profile({ terminator: 'none', endIdleMs: 80 }))
    typeInto(d, chars('0104012345678901'), 5, 0)
    expect(d.tick(5 * 15 + 20)).toEqual({ kind: 'pass' })
    expect(d.tick(5 * 15 + 100)).toEqual({ kind: 'scan', raw: '0104012345678901' })
  })

  it('with no terminator, a new keystroke after the gap flushes the previous scan', () => {
    const d = new WedgeDetector(profile({ terminator: 'none' }))
    typeInto(d, chars('SCAN0001'), 5, 0)
    const next = d.feed({ key: 'x', time: 5000 })
    expect(next).toEqual({ kind: 'scan', raw: 'SCAN0001' })
  })
})

describe('GS handling', () => {
  it('restores a single-character stand-in to U+001D', () => {
    expect(restoreGs('0104012345678901' + '10ABC~21XYZ', '~')).toBe(`010401234567890110ABC${GS}21XYZ`)
  })

  it('restores a multi-character stand-in such as <GS>', () => {
    expect(restoreGs('10A1<GS>17261231', '<GS>')).toBe(`10A1${GS}17261231`)
  })

  it('changes nothing without a stand-in', () => {
    expect(restoreGs('10A~B', null)).toBe('10A~B')
  })

  it('maps Ctrl+] and the raw GS key to U+001D', () => {
    expect(charOf({ key: ']', ctrlKey: true, time: 0 })).toBe(GS)
    expect(charOf({ key: 'Unidentified', code: 'BracketRight', ctrlKey: true, time: 0 })).toBe(GS)
    expect(charOf({ key: GS, time: 0 })).toBe(GS)
    expect(charOf({ key: 'c', ctrlKey: true, time: 0 })).toBeNull()
  })

  it('keeps GS inside a scanned burst, with a leading ]d2 untouched', () => {
    const d = new WedgeDetector(profile({ gsStandIn: '~' }))
    const out = typeInto(d, [...chars(']d20104012345678901'), ...chars('10LOT1~'), { key: ']', ctrlKey: true }, ...chars('21SN9'), 'Enter'], 4)
    expect(out.at(-1)).toEqual({ kind: 'scan', raw: `]d2010401234567890110LOT1${GS}${GS}21SN9` })
  })
})

describe('attachWedge (DOM wiring)', () => {
  function burst(target: EventTarget, text: string, startTime: number, terminator = 'Enter') {
    const events: KeyboardEvent[] = []
    ;[...text, terminator].forEach((key, i) => {
      const ev = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true })
      Object.defineProperty(ev, 'timeStamp', { value: startTime + i * 4 })
      target.dispatchEvent(ev)
      events.push(ev)
    })
    return events
  }

  it('reports a burst typed on the page body', () => {
    const onScan = vi.fn()
    const h = attachWedge(onScan)
    burst(document.body, '0104012345678901', 10_000)
    h.detach()
    expect(onScan).toHaveBeenCalledWith('0104012345678901')
  })

  it('ignores bursts in a normal text input', () => {
    const onScan = vi.fn()
    const h = attachWedge(onScan)
    const input = document.createElement('input')
    document.body.append(input)
    const events = burst(input, 'ABCDEFGH', 20_000)
    h.detach()
    input.remove()
    expect(onScan).not.toHaveBeenCalled()
    expect(events.some((e) => e.defaultPrevented)).toBe(false)
  })

  it('captures bursts in an input that opted in, and swallows the terminator', () => {
    const onScan = vi.fn()
    const h = attachWedge(onScan)
    const input = document.createElement('input')
    input.setAttribute('data-wedge', 'capture')
    document.body.append(input)
    const events = burst(input, 'LOT-778899', 30_000)
    h.detach()
    input.remove()
    expect(onScan).toHaveBeenCalledWith('LOT-778899')
    expect(events.at(-1)!.defaultPrevented).toBe(true)
  })
})

describe('scanner test display', () => {
  it('names control characters and keeps the rest as text', async () => {
    const { segments } = await import('@/scanning/active')
    expect(segments(`10A${GS}21 B\u001e`)).toEqual([
      { text: '10A' },
      { text: GS, control: 'GS' },
      { text: '21' },
      { text: ' ', control: 'SP' },
      { text: 'B' },
      { text: '\u001e', control: 'RS' },
    ])
  })
})

describe('terminator timing', () => {
  it('accepts a terminator that lags the last character a little', () => {
    const d = new WedgeDetector()
    typeInto(d, chars('0104012345678901'), 5, 0)
    expect(d.feed({ key: 'Enter', time: 15 * 5 + 90 })).toEqual({ kind: 'scan', raw: '0104012345678901' })
  })

  it('does not take a much later Enter as the end of a scan', () => {
    const d = new WedgeDetector()
    typeInto(d, chars('0104012345678901'), 5, 0)
    expect(d.feed({ key: 'Enter', time: 15 * 5 + 600 })).toEqual({ kind: 'pass' })
  })
})
