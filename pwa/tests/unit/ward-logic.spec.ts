import { describe, expect, it } from 'vitest'
import { addToCart, approvalBody, approvedValue, departmentOf, patientRefOk, stepOf } from '@/ward/logic'

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
})
