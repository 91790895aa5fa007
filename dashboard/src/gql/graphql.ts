/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** How a dossier reached the centre. */
export type Channel =
  /** The centre's counters (trực tiếp). */
  | 'DIRECT'
  /** The online public-service portal (dịch vụ công trực tuyến). */
  | 'ONLINE'
  /** The public postal service (bưu chính công ích). */
  | 'POSTAL';

/** The outcome of a decided dossier. */
export type Decision =
  | 'APPROVED'
  | 'REJECTED';

export type NarrativeLanguage =
  | 'EN'
  | 'VI';

/** Dossier status, as the national public-service portal codes it. */
export type ProcessingStatus =
  /** Công dân yêu cầu rút hồ sơ: withdrawn by the applicant. */
  | 'CANCELLED'
  /** Không được tiếp nhận: refused at intake. */
  | 'DENIED'
  /** Đã trả kết quả: result returned. */
  | 'DONE'
  /** Được tiếp nhận: accepted by the centre. */
  | 'NEW'
  /** Yêu cầu thực hiện nghĩa vụ tài chính: fees due. */
  | 'PAYING'
  /** Đang xử lý: being processed by the department. */
  | 'PROCESSING'
  /** Mới đăng ký: submitted online, not yet accepted. */
  | 'RECEIVING'
  /** Đã xử lý xong: decided, result not yet returned. */
  | 'RELEASING'
  /** Dừng xử lý: processing stopped. */
  | 'UNRESOLVED'
  /** Yêu cầu bổ sung giấy tờ: supplements requested; the deadline clock is paused. */
  | 'WAITING';

export type RatingLevel =
  /** Không hài lòng: a reason is required. */
  | 'DISSATISFIED'
  /** Hài lòng. */
  | 'SATISFIED'
  /** Rất hài lòng. */
  | 'VERY_SATISFIED';

export type ReportInterval =
  | 'DAY'
  | 'MONTH'
  | 'WEEK';

/** How a result went back to the applicant. */
export type ResultChannel =
  | 'DIRECT'
  | 'POSTAL';

export type ShipmentDirection =
  /** A dossier from the applicant to the centre. */
  | 'INBOUND'
  /** A result from the centre to the applicant. */
  | 'OUTBOUND';

export type ShipmentStatus =
  | 'ACCEPTED'
  | 'DELIVERED'
  | 'FAILED_ATTEMPT'
  | 'IN_TRANSIT'
  | 'OUT_FOR_DELIVERY'
  | 'RETURNED_TO_SENDER';

export type DashboardDepartmentsQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardDepartmentsQuery = { departments: Array<{ code: string, name: string, hasOwnSystem: boolean }> };

export type DashboardReportQueryVariables = Exact<{
  from: string;
  to: string;
  departmentCode?: string | null | undefined;
}>;


export type DashboardReportQuery = { report: { from: string, to: string, carriedOver: number | null, withdrawn: number | null, returnedByPost: number, balanced: boolean | null, published: boolean | null, received: { total: number, online: number, direct: number, postal: number }, resolved: { total: number, early: number, onTime: number, late: number } | null, inProcess: { total: number, overdue: number } | null, ratings: { total: number, verySatisfied: number, satisfied: number, dissatisfied: number }, rates: { online: number | null, direct: number | null, postal: number | null, early: number | null, onTime: number | null, late: number | null, earlyOrOnTime: number | null, returnedByPost: number | null, verySatisfied: number | null, satisfied: number | null, dissatisfied: number | null } | null, byDepartment: Array<
      | { carriedOver: number, withdrawn: number, department: { code: string, name: string }, received: { total: number, online: number, direct: number, postal: number }, resolved: { total: number, early: number, onTime: number, late: number }, inProcess: { total: number, overdue: number } }
      | { carriedOver: number, withdrawn: number, department: { code: string, name: string }, received: { total: number, online: number, direct: number, postal: number }, resolved: { total: number, early: number, onTime: number, late: number }, inProcess: { total: number, overdue: number } }
      | { carriedOver: number, withdrawn: number, department: { code: string, name: string }, received: { total: number, online: number, direct: number, postal: number }, resolved: { total: number, early: number, onTime: number, late: number }, inProcess: { total: number, overdue: number } }
      | { carriedOver: number, withdrawn: number, department: { code: string, name: string }, received: { total: number, online: number, direct: number, postal: number }, resolved: { total: number, early: number, onTime: number, late: number }, inProcess: { total: number, overdue: number } }
    >, revisions: Array<{ system: string, month: string, departmentCode: string, reason: string, at: string, changes: Array<{ figure: string, published: number, revised: number }> }> | null } };

export type DashboardReportLiveQueryVariables = Exact<{
  from: string;
  to: string;
  departmentCode?: string | null | undefined;
  language: NarrativeLanguage;
}>;


export type DashboardReportLiveQuery = { report: { narrative: string | null, reconciliation: { consistent: boolean, problems: Array<string> } } };

export type DashboardReportSeriesQueryVariables = Exact<{
  from: string;
  to: string;
  departmentCode?: string | null | undefined;
  every: ReportInterval;
}>;


export type DashboardReportSeriesQuery = { reportSeries: Array<{ from: string, to: string, received: { total: number }, resolved: { total: number } | null }> };

export type DashboardDossierSearchQueryVariables = Exact<{
  search?: string | null | undefined;
  departmentCode?: string | null | undefined;
  first: number;
}>;


export type DashboardDossierSearchQuery = { dossiers: { totalCount: number, edges: Array<{ node: { code: string, receivedAt: string, dueAt: string | null, channel: Channel, applicant: { fullName: string }, procedure: { code: string, name: string }, department: { code: string, name: string }, processing:
          | { status: ProcessingStatus }
          | { status: ProcessingStatus }
          | { status: ProcessingStatus }
          | { status: ProcessingStatus }
         | null } }> } };

export type DashboardDossierQueryVariables = Exact<{
  code: string;
}>;


export type DashboardDossierQuery = { dossier: { code: string, channel: Channel, receivedAt: string, dueAt: string | null, returnedAt: string | null, returnChannel: ResultChannel | null, withdrawnAt: string | null, applicant: { fullName: string, idNumber: string, phone: string | null, address: string | null }, procedure: { code: string, name: string, workingDays: number, fee: number }, department: { code: string, name: string, hasOwnSystem: boolean }, processing:
      | { __typename: 'IndustryTradeProcessing', status: ProcessingStatus, officer: string | null, decision: Decision | null, decidedAt: string | null, dueAt: string | null, history: Array<{ status: ProcessingStatus, at: string }> }
      | { __typename: 'OneStopProcessing', status: ProcessingStatus, officer: string | null, decision: Decision | null, decidedAt: string | null, dueAt: string | null, history: Array<{ status: ProcessingStatus, at: string }> }
      | { __typename: 'PoliceProcessing', status: ProcessingStatus, officer: string | null, decision: Decision | null, decidedAt: string | null, dueAt: string | null, history: Array<{ status: ProcessingStatus, at: string }> }
      | { __typename: 'TransportProcessing', status: ProcessingStatus, officer: string | null, decision: Decision | null, decidedAt: string | null, dueAt: string | null, history: Array<{ status: ProcessingStatus, at: string }> }
     | null, deadline: { dueAt: string | null, asOf: string, workingHoursLeft: number | null, overdueByWorkingHours: number | null, pausedWorkingHours: number, paused: boolean, finished: boolean }, timeline: Array<{ at: string, system: string, type: string, detail: string | null }>, rating: { level: RatingLevel, reason: string | null, ratedAt: string } | null, shipments: Array<{ trackingNumber: string, direction: ShipmentDirection, status: ShipmentStatus, postedAt: string, deliveredAt: string | null }> } | null };


export const DashboardDepartmentsDocument = {"__meta__":{"hash":"sha256:03f58c47adcebea92c4701fe1cefbce52e81f3bd3c8c97c9e8ebc66fe9f26974"}} as unknown as DocumentNode<DashboardDepartmentsQuery, DashboardDepartmentsQueryVariables>;
export const DashboardReportDocument = {"__meta__":{"hash":"sha256:4efd1bbbcecedf083cdd4d19a619176cd801320118915f65f5942ef2e0738955"}} as unknown as DocumentNode<DashboardReportQuery, DashboardReportQueryVariables>;
export const DashboardReportLiveDocument = {"__meta__":{"hash":"sha256:989d1b596b3c375d352f92f37bc35c2a49f557d4924644af5a03958302d9edae"}} as unknown as DocumentNode<DashboardReportLiveQuery, DashboardReportLiveQueryVariables>;
export const DashboardReportSeriesDocument = {"__meta__":{"hash":"sha256:ffc9538cade4919fec848a34ef0eaad0c83e19b38ca1d5be7a1e554be693d96b"}} as unknown as DocumentNode<DashboardReportSeriesQuery, DashboardReportSeriesQueryVariables>;
export const DashboardDossierSearchDocument = {"__meta__":{"hash":"sha256:d3eb4cfab5e1e20e0c747c05bee6c0a77ff2a2c896e646e6d6fa480f5ab68874"}} as unknown as DocumentNode<DashboardDossierSearchQuery, DashboardDossierSearchQueryVariables>;
export const DashboardDossierDocument = {"__meta__":{"hash":"sha256:64b463a305436f0b2d29e848aac9d368d0b35f3eb137ce6f9dccdf47b0821184"}} as unknown as DocumentNode<DashboardDossierQuery, DashboardDossierQueryVariables>;