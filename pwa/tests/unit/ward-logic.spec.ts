import { describe, expect, it } from 'vitest'
import { addToCart, approvalBody, approvedValue, countScan, departmentOf, patientRefOk, receiptLines, requisitionChip, stepOf, unitKey } from '@/ward/logic'

const item = { product: 5, product_code: 'P5', product_name: '注射器', model: '5ml', par_level: 20 }

describe('ward logic', () => {
  it('adds to the cart, the same product again adds to its line', () => {
    let cart = addToCart([], item)
    cart = addToCart(cart, item, 10)
    cart = addToCart(cart, { ...item, product: 6, product_code: 'P6' })
    expect(cart.map((l) => [l.product, l.quantity])).toEqual([[5, 11], [6, 1]])
  })

  it('tracks the status', () => {
    expect(stepOf('submitted')).toBe(0)
    expect(stepOf('received')).toBe(5)
    expect(stepOf('draft')).toBe(-1)
  })

  it('names only changed lines in the approval, each with its reason', () => {
    const lines = [{ id: 1, quantity: 10, unit_cost: 100 }, { id: 2, quantity: 5, unit_cost: 1000 }]
    expect(approvalBody(lines, { 1: { approved: 10, substitute: null, reason: '' } })).toEqual({ body: {}, missingReason: [] })
    const r = approvalBody(lines, { 1: { approved: 6, substitute: null, reason: '' }, 2: { approved: 5, substitute: 9, reason: ' 同类替代 ' } })
    expect(r.missingReason).toEqual([1])
    expect(r.body.lines).toEqual([{ line: 1, approved_quantity: 6 }, { line: 2, approved_quantity: 5, substitute: 9, reason: '同类替代' }])
    expect(approvedValue(lines, { 1: { approved: 6, substitute: null, reason: 'x' } })).toBe(6 * 100 + 5 * 1000)
  })

  it('accepts only pseudonymous patient references', () => {
    expect(patientRefOk('PT-2026-0042')).toBe(true)
    expect(patientRefOk('A123')).toBe(true)
    expect(patientRefOk('张三')).toBe(false)
    expect(patientRefOk('Zhang San')).toBe(false)
    expect(patientRefOk('Anna')).toBe(false)
    expect(patientRefOk('AB--12')).toBe(false)
    expect(patientRefOk('A1')).toBe(false)
  })

  it('finds the ward of the user', () => {
    expect(departmentOf({ department_ids: [3, 4] })).toBe(3)
    expect(departmentOf(null)).toBeNull()
  })

  it('counts scans at the ward against the delivery, never past what was shipped', () => {
    // Lot 7 on two shipments (4 then 1), two serials of lot 9.
    const units = [
      { shipment: 1, requisition_line: 10, lot: 7, serial: null, quantity: 4 },
      { shipment: 2, requisition_line: 10, lot: 7, serial: null, quantity: 1 },
      { shipment: 1, requisition_line: 11, lot: 9, serial: 90, quantity: 1 },
      { shipment: 1, requisition_line: 11, lot: 9, serial: 91, quantity: 1 },
    ]
    const counted: Record<string, number> = {}
    const lot7 = (u: (typeof units)[number]) => u.lot === 7
    expect(countScan(units, counted, lot7, 3)).toMatchObject({ n: 3, added: 3 })
    expect(countScan(units, counted, lot7, 3)).toMatchObject({ n: 4, added: 1 }) // capped at 4
    expect(countScan(units, counted, lot7, 1)).toMatchObject({ unit: units[1], n: 1, added: 1 })
    expect(countScan(units, counted, lot7, 1)).toMatchObject({ n: 4, added: 0 }) // all counted
    expect(countScan(units, counted, (u) => u.serial === 91, 1)).toMatchObject({ n: 1, added: 1 })
    expect(countScan(units, counted, (u) => u.lot === 8, 1)).toBeNull()
    expect(counted[unitKey(units[2]!)]).toBeUndefined()
    expect(receiptLines(units, counted)).toEqual([
      { lot: 7, quantity: 5 },
      { lot: 9, serial: 91, quantity: 1 },
    ])
  })

  it('colours the status chip', () => {
    expect(['submitted', 'approved', 'received', 'rejected'].map(requisitionChip)).toEqual(['lw-chip--warn', 'lw-chip--info', 'lw-chip--ok', 'lw-chip--stop'])
  })
})
