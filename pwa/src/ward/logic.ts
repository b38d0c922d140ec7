/** Pure rules of the ward screens (unit-tested): the cart, the live status track, the approval
 *  body, the patient reference check and the budget figures. */
import type { CatalogueItem, RequisitionLine, WardDeliveryUnit } from '@/api/types'

export interface CartLine {
  product: number
  code: string
  name: string
  model: string
  quantity: number
  par: number
}

/** Add a catalogue product (again: one more unit, or the given step). */
export function addToCart(cart: CartLine[], item: Pick<CatalogueItem, 'product' | 'product_code' | 'product_name' | 'model' | 'par_level'>, step = 1): CartLine[] {
  const had = cart.find((l) => l.product === item.product)
  if (had) return cart.map((l) => (l === had ? { ...l, quantity: Math.min(10000, l.quantity + step) } : l))
  return [...cart, { product: item.product, code: item.product_code, name: item.product_name, model: item.model, quantity: Math.max(1, step), par: item.par_level }]
}

export const STEPS = ['submitted', 'approved', 'picking', 'shipped', 'delivered', 'received'] as const

/** Index of the status on the track (−1 for draft; rejected/cancelled/back-ordered: where it stopped). */
export function stepOf(status: string): number {
  if (status === 'back_ordered') return 1
  return STEPS.indexOf(status as (typeof STEPS)[number])
}

export const FINAL = new Set(['received', 'rejected', 'cancelled'])

/** The chip colour of a requisition's status (ward and warehouse screens alike). */
export function requisitionChip(status: string): string {
  if (status === 'rejected' || status === 'cancelled') return 'lw-chip--stop'
  if (status === 'received') return 'lw-chip--ok'
  if (status === 'submitted' || status === 'back_ordered') return 'lw-chip--warn'
  return 'lw-chip--info'
}

export interface ApprovalEdit {
  approved: number
  substitute: number | null
  reason: string
}

/** The approve body: only lines changed from the request are named; each such line needs a reason. */
export function approvalBody(lines: Pick<RequisitionLine, 'id' | 'quantity'>[], edits: Record<number, ApprovalEdit>): { body: { lines?: { line: number; approved_quantity: number; substitute?: number; reason?: string }[] }; missingReason: number[] } {
  const changed: { line: number; approved_quantity: number; substitute?: number; reason?: string }[] = []
  const missingReason: number[] = []
  for (const l of lines) {
    const e = edits[l.id]
    if (!e) continue
    const differs = e.approved !== l.quantity || e.substitute !== null
    if (!differs) continue
    const reason = e.reason.trim()
    if (!reason) missingReason.push(l.id)
    changed.push({ line: l.id, approved_quantity: e.approved, ...(e.substitute !== null ? { substitute: e.substitute } : {}), ...(reason ? { reason } : {}) })
  }
  return { body: changed.length ? { lines: changed } : {}, missingReason }
}

/** Value of the approved quantities (minor units). */
export function approvedValue(lines: Pick<RequisitionLine, 'id' | 'quantity' | 'unit_cost'>[], edits: Record<number, ApprovalEdit>): number {
  return lines.reduce((sum, l) => sum + (edits[l.id]?.approved ?? l.quantity) * l.unit_cost, 0)
}

/** Pseudonymous patient reference, as the server checks it (never a name). */
export function patientRefOk(ref: string): boolean {
  const v = ref.trim()
  return /^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/.test(v) && v.length >= 4 && v.length <= 40 && /\d/.test(v)
}

/** 分 → "¥1,234.50" */
export function money(minor: number | null | undefined, locale = 'zh-CN'): string {
  if (minor === null || minor === undefined) return '—'
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'CNY' }).format(minor / 100)
}

/** The ward the user works for: the first of their departments. */
export function departmentOf(user: { department_ids?: number[] } | null): number | null {
  return user?.department_ids?.[0] ?? null
}

type DeliveryUnit = Pick<WardDeliveryUnit, 'shipment' | 'requisition_line' | 'lot' | 'serial' | 'quantity'>

/** One unit of a delivery: a lot (and serial) of one requisition line on one shipment. */
export const unitKey = (u: DeliveryUnit): string => `${u.shipment}:${u.requisition_line}:${u.lot}:${u.serial ?? ''}`

/** Count a scan at the ward into the first unit it names that still has room (never past what
 *  was shipped). `null`: the delivery has no such unit; `added` 0: every such unit is counted. */
export function countScan<U extends DeliveryUnit>(units: U[], counted: Record<string, number>, names: (u: U) => boolean, step: number): { unit: U; n: number; added: number } | null {
  const named = units.filter(names)
  if (!named.length) return null
  const unit = named.find((u) => (counted[unitKey(u)] ?? 0) < u.quantity)
  if (!unit) return { unit: named[0]!, n: counted[unitKey(named[0]!)] ?? 0, added: 0 }
  const had = counted[unitKey(unit)] ?? 0
  const n = Math.min(unit.quantity, had + Math.max(1, step))
  counted[unitKey(unit)] = n
  return { unit, n, added: n - had }
}

/** The receive body's lines: what was counted, one line per lot and serial. */
export function receiptLines(units: DeliveryUnit[], counted: Record<string, number>): { lot: number; serial?: number; quantity: number }[] {
  const lines = new Map<string, { lot: number; serial?: number; quantity: number }>()
  for (const u of units) {
    const quantity = counted[unitKey(u)] ?? 0
    if (!quantity) continue
    const k = `${u.lot}:${u.serial ?? ''}`
    const line = lines.get(k) ?? { lot: u.lot, ...(u.serial !== null ? { serial: u.serial } : {}), quantity: 0 }
    line.quantity += quantity
    lines.set(k, line)
  }
  return [...lines.values()]
}
