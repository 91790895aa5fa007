/** Who is calling, as the gateway verified it. Reaches subgraphs only inside the signed envelope. */
export type Role = 'CENTRE_STAFF' | 'CENTRE_ADMIN' | 'DEPARTMENT_OFFICER' | 'REPORT_BUILDER' | 'CITIZEN' | 'SERVICE' | 'ANONYMOUS';

export const ROLES: readonly Role[] = ['CENTRE_STAFF', 'CENTRE_ADMIN', 'DEPARTMENT_OFFICER', 'REPORT_BUILDER', 'CITIZEN', 'SERVICE'];

export interface Identity {
  subject: string;
  role: Role;
  /** For a department officer: the department code. */
  department?: string;
  /** For a citizen: their 12-digit citizen ID number. */
  citizenId?: string;
}

export const ANONYMOUS: Identity = Object.freeze({ subject: 'anonymous', role: 'ANONYMOUS' });

/** Validates an identity from a token's claims or an envelope; null when it is not a whole identity. */
export function parseIdentity(value: unknown): Identity | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  const role = v.role as Role;
  if (typeof v.subject !== 'string' || !v.subject || !(ROLES as string[]).concat('ANONYMOUS').includes(role)) return null;
  if (role === 'DEPARTMENT_OFFICER' && (typeof v.department !== 'string' || !/^[A-Z]{2,16}$/.test(v.department))) return null;
  if (role === 'CITIZEN' && (typeof v.citizenId !== 'string' || !/^\d{12}$/.test(v.citizenId))) return null;
  return {
    subject: v.subject,
    role,
    ...(role === 'DEPARTMENT_OFFICER' ? { department: v.department as string } : {}),
    ...(role === 'CITIZEN' ? { citizenId: v.citizenId as string } : {}),
  };
}
