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
export type ScanWarning = Schemas['scanning_api_WarningOut']
export type ScanAction = Schemas['scanning_api_ActionOut']
export type ScanProduct = Schemas['scanning_api_ProductOut']
export type ScanLot = Schemas['scanning_api_LotOut']
export type ScanLocation = Schemas['scanning_api_LocationOut']
export type ScanDocument = Schemas['DocumentOut']
export type TaskSummary = Schemas['SummaryOut']
export type QaLine = Schemas['QaLineOut']
export type InspectionRecord = Schemas['InspectionOut']
export type InspectionRequest = Schemas['InspectionIn']
export type PutawayItem = Schemas['PutawayItemOut']
export type PickTask = Schemas['PickTaskOut']
export type TransferTask = Schemas['TransferTaskOut']
export type TransitUnit = Schemas['TransitUnitOut']
export type Destination = Schemas['DestinationOut']
export type Product = Schemas['catalog_api_ProductOut']
export type Warehouse = Schemas['WarehouseOut']
export type Supplier = Schemas['SupplierOut']
export type ReceiptRequest = Schemas['ReceiptIn']
export type ReceiptLineRequest = Schemas['ReceiptLineIn']
export type Receipt = Schemas['ReceiptOut']
export type ReceiptLine = Schemas['ReceiptLineOut']
export type Decided = Schemas['DecidedOut']
export type Place = Schemas['PlaceOut']
export type PickList = Schemas['PickListOut']
export type PickLine = Schemas['PickLineOut']
export type PickLineDone = Schemas['PickLineDoneOut']
export type ConfirmRequest = Schemas['ConfirmIn']
export type TransferOrder = Schemas['TransferOrderOut']
export type LotPage = Schemas['LotPageOut']
export type LedgerEntry = Schemas['LedgerOut']
export type Balance = Schemas['BalanceOut']
export type Trace = Schemas['stock_api_TraceOut']
export type Total = Schemas['TotalOut']
export type Alert = Schemas['AlertOut']
export type AlertCounts = Schemas['CountsOut']
export type AlertActionResult = Schemas['alerts_api_ActionOut']
export type CatalogueItem = Schemas['CatalogueOut']
export type Requisition = Schemas['RequisitionOut']
export type RequisitionSummary = Schemas['RequisitionSummaryOut']
export type RequisitionLine = Schemas['LineOut']
export type RequisitionWarning = Schemas['requisitions_api_WarningOut']
export type ParLevels = Schemas['ParOut']
export type PatientUse = Schemas['PatientUseOut']
export type WardTrace = Schemas['requisitions_api_TraceOut']
export type Budget = Schemas['DepartmentBudgetOut']
export type WardDelivery = Schemas['WardDeliveryOut']
export type WardDeliveryUnit = Schemas['WardDeliveryUnitOut']


export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

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
  /** The outbox event id (alerts may arrive twice, on a warehouse and a department channel). */
  id?: number | string
  topic: string
  data: T
}
