/**
 * API types used by the app. Everything the OpenAPI document describes comes from the generated
 * `schema.d.ts` (`npm run gen:api`, regenerate when the backend changes); only what OpenAPI
 * cannot describe is written by hand here: the problem+json error body and the /ws events.
 */
import type { components } from './schema'

type Schemas = components['schemas']

export type User = Schemas['UserOut']
export type LoginRequest = Schemas['LoginIn']
export type LoginResponse = Schemas['LoginOut']
export type ScanRequest = Schemas['ScanIn']
export type ScanResponse = Schemas['ScanOut']
export type DecodedScan = Schemas['DecodedOut']
export type ScanWarning = Schemas['WarningOut']
export type ScanAction = Schemas['ActionOut']
export type ScanProduct = Schemas['scanning_api_ProductOut']
export type ScanLot = Schemas['scanning_api_LotOut']
export type ScanLocation = Schemas['scanning_api_LocationOut']

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

/** A WebSocket event on /ws. */
export interface LiveEvent<T = Record<string, unknown>> {
  topic: string
  data: T
}
