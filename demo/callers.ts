import type { Identity } from '../subgraphs/kit/identity';

/** The dossier the README's examples read: `npm start` prints a CITIZEN token for its applicant. */
export const EXAMPLE_DOSSIER = '000.00.16.H56-200401-0001';

export interface DemoCaller {
  /** The shell variable `npm start` assigns the token to, as the README's curl examples name it. */
  variable: string;
  label: string;
  identity: Identity;
}

/**
 * Whom `npm start` prints a development token for; the citizen is a dossier's applicant: the example dossier's on the
 * demo data.
 */
export function demoCallers(citizen?: { idNumber: string; dossierCode: string }): DemoCaller[] {
  const callers: DemoCaller[] = [
    { variable: 'STAFF_TOKEN', label: 'CENTRE_STAFF', identity: { subject: 'dev-staff', role: 'CENTRE_STAFF' } },
    { variable: 'ADMIN_TOKEN', label: 'CENTRE_ADMIN', identity: { subject: 'dev-admin', role: 'CENTRE_ADMIN' } },
    {
      variable: 'OFFICER_TOKEN',
      label: 'DEPARTMENT_OFFICER of SGTVT',
      identity: { subject: 'dev-transport-officer', role: 'DEPARTMENT_OFFICER', department: 'SGTVT' },
    },
    { variable: 'REPORT_TOKEN', label: 'REPORT_BUILDER', identity: { subject: 'dev-report-builder', role: 'REPORT_BUILDER' } },
    { variable: 'SERVICE_TOKEN', label: 'SERVICE', identity: { subject: 'dev-service', role: 'SERVICE' } },
  ];
  if (citizen) {
    callers.push({
      variable: 'CITIZEN_TOKEN',
      label: `CITIZEN ${citizen.idNumber}, the applicant of ${citizen.dossierCode}`,
      identity: { subject: 'dev-citizen', role: 'CITIZEN', citizenId: citizen.idNumber },
    });
  }
  return callers;
}
