/**
 * What a scan says on its own, without the server: Lotwise location labels and GS1 element
 * strings (GTIN, lot, expiry, serial, quantity). Used only when offline, to check a scan against
 * a task the screen already holds (the server decodes and checks everything when online).
 */
export interface LocalScan {
  kind: 'location' | 'gs1' | 'other'
  warehouse?: string
  location?: string
  gtin?: string
  lot?: string
  serial?: string
  expiry?: string
  quantity?: number
}

const GS = '\u001d'
/** Fixed-length AIs we care about (value length); the rest are variable, ended by GS. */
const FIXED: Record<string, number> = { '00': 18, '01': 14, '02': 14, '11': 6, '13': 6, '15': 6, '16': 6, '17': 6 }

function gs1Date(v: string): string | undefined {
  if (!/^\d{6}$/.test(v)) return undefined
  const yy = Number(v.slice(0, 2))
  const year = yy >= 51 ? 1900 + yy : 2000 + yy
  const mm = v.slice(2, 4)
  let dd = v.slice(4, 6)
  if (dd === '00') dd = String(new Date(year, Number(mm), 0).getDate()).padStart(2, '0')
  return `${year}-${mm}-${dd}`
}

export function parseLocal(raw: string): LocalScan {
  const loc = /^LW:LOC:([^:]+):(.+)$/.exec(raw)
  if (loc) return { kind: 'location', warehouse: loc[1], location: loc[2] }
  let s = raw.replace(/^\](d2|C1|Q3|e0)/, '')
  if (s.startsWith(GS)) s = s.slice(1)
  if (!/^(00|01|02)\d/.test(s)) return { kind: 'other' }
  const out: LocalScan = { kind: 'gs1' }
  let i = 0
  while (i < s.length) {
    const ai2 = s.slice(i, i + 2)
    if (FIXED[ai2] !== undefined) {
      const v = s.slice(i + 2, i + 2 + FIXED[ai2]!)
      i += 2 + FIXED[ai2]!
      if (ai2 === '01' || ai2 === '02') out.gtin = v
      else if (ai2 === '17') out.expiry = gs1Date(v)
      if (s[i] === GS) i++
      continue
    }
    if (ai2 === '10' || ai2 === '21' || ai2 === '30') {
      const end = s.indexOf(GS, i + 2)
      const v = s.slice(i + 2, end < 0 ? s.length : end)
      i = end < 0 ? s.length : end + 1
      if (ai2 === '10') out.lot = v
      else if (ai2 === '21') out.serial = v
      else out.quantity = Number(v)
      continue
    }
    break
  }
  return out
}
