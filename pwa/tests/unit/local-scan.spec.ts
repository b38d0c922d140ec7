import { describe, expect, it } from 'vitest'
import { parseLocal } from '@/scanning/local'

const GS = '\u001d'

describe('what a scan says without the server', () => {
  it('reads a Lotwise location label', () => {
    expect(parseLocal('LW:LOC:WH-C:A-01-1')).toEqual({ kind: 'location', warehouse: 'WH-C', location: 'A-01-1' })
  })

  it('reads GTIN, expiry, lot and serial from a GS1 element string with the AIM prefix', () => {
    expect(parseLocal(`]d20106971234000019172712311024A7${GS}21SN-9`)).toEqual({ kind: 'gs1', gtin: '06971234000019', expiry: '2027-12-31', lot: '24A7', serial: 'SN-9' })
  })

  it('reads a camera scan without prefix, a leading GS and quantity', () => {
    expect(parseLocal(`${GS}010697123400001910L1${GS}3012`)).toEqual({ kind: 'gs1', gtin: '06971234000019', lot: 'L1', quantity: 12 })
  })

  it('takes day 00 as the last day of the month', () => {
    expect(parseLocal('010697123400001917280200').expiry).toBe('2028-02-29')
  })

  it('leaves anything else to the server', () => {
    expect(parseLocal('6971234000019').kind).toBe('other')
    expect(parseLocal('+H123ABC01/$$3271231LOT1').kind).toBe('other')
  })
})
