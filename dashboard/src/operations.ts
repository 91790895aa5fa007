// The operations are written in operations.graphql; codegen makes them typed documents that carry only their
// SHA-256 (the gateway holds the text), so the bundle holds no document text.
export {
  DashboardDepartmentsDocument as DepartmentsQuery,
  DashboardReportDocument as ReportQuery,
  DashboardReportLiveDocument as ReportLiveQuery,
  DashboardReportSeriesDocument as ReportSeriesQuery,
  DashboardDossierSearchDocument as DossierSearchQuery,
  DashboardDossierDocument as DossierQuery,
} from './gql/graphql';
