/**
 * TEMPORARY hand-written API types — only the contracts the backend has promised so far.
 *
 * Replace with the generated `src/api/schema.d.ts` (`npm run gen:api`) as soon as the backend
 * publishes /schema/openapi.json, then delete this file. Do not add more types here: anything
 * new belongs in the OpenAPI schema.
 */

/** RFC 9457 problem details as the Lotwise backend sends them (`application/problem+json`). */
export interface Problem {
  type: string
  title: string
  status: number
  /** Already in the user's language (we send Accept-Language). */
  detail: string
  /** Stable machine code, e.g. LOT_EXPIRED, BARCODE_CHECK_DIGIT, IDEMPOTENCY_IN_PROGRESS. */
  code: string
  /** The request field at fault, when there is one. */
  field?: string | null
}

export interface User {
  id: number | string
  username: string
  full_name: string
  roles: string[]
  warehouse_ids: Array<number | string>
  department_ids: Array<number | string>
}

export interface LoginRequest {
  username: string
  password: string
}

export interface LoginResponse {
  access_token: string
  token_type: 'bearer'
  user: User
}

export interface ScanRequest {
  /** The string exactly as scanned, with GS as U+001D; never trimmed. */
  raw: string
  profile?: string
}

export interface ScanWarning {
  code: string
  message: string
}

export interface DecodedScan {
  agency: string | null
  di: string | null
  gtin: string | null
  lot: string | null
  serial: string | null
  expiry: string | null
  production_date: string | null
  quantity: number | null
  symbology: string | null
  warnings: ScanWarning[]
}

/** The product/lot/location shapes are not fixed yet; the UI reads only a few common fields. */
export interface ScanEntity {
  id?: number | string
  [field: string]: unknown
}

export interface ScanResponse {
  decoded: DecodedScan
  product: ScanEntity | null
  lot: ScanEntity | null
  location: ScanEntity | null
  actions: unknown[]
  status_warnings: Array<ScanWarning | string>
}

/** A WebSocket event on /ws. */
export interface LiveEvent<T = Record<string, unknown>> {
  topic: string
  data: T
}
