import { Field, InputType, registerEnumType } from 'type-graphql';
import type { SelectQueryBuilder } from 'typeorm';
import { ProcessingStatus } from '../../kit/department/processing-status';
import { badUserInput } from '../../kit/errors';
import { Channel } from '../entities/channel';
import type { Dossier } from '../entities/dossier.entity';

export enum DossierOrder {
  RECEIVED_AT_DESC = 'RECEIVED_AT_DESC',
  RECEIVED_AT_ASC = 'RECEIVED_AT_ASC',
  DUE_AT_ASC = 'DUE_AT_ASC',
}
registerEnumType(DossierOrder, { name: 'DossierOrder' });

/** Statuses in which the deadline clock runs: the rest are decided, closed, or paused for supplements. */
export const CLOCK_RUNNING: ProcessingStatus[] = [ProcessingStatus.NEW, ProcessingStatus.PROCESSING, ProcessingStatus.PAYING];

@InputType({
  description:
    "Every filter runs in the centre's register, in SQL. status and overdue come from the processing systems: " +
    'each reports every step to the register through its hand-overs (delivered until acknowledged, in order per ' +
    'dossier), so they are as current as the last delivered hand-over, normally within a second.',
})
export class DossierFilter {
  @Field(() => String, { nullable: true })
  departmentCode?: string | null;

  @Field(() => String, { nullable: true })
  procedureCode?: string | null;

  @Field(() => Channel, { nullable: true })
  channel?: Channel | null;

  @Field(() => ProcessingStatus, { nullable: true, description: 'As last reported by the processing system.' })
  status?: ProcessingStatus | null;

  @Field(() => Date, { nullable: true, description: 'Received at or after.' })
  receivedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Received at or before.' })
  receivedTo?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Due strictly before.' })
  dueBefore?: Date | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Past its due date now while its clock runs (dossiers awaiting supplements are within deadline).',
  })
  overdue?: boolean | null;

  @Field(() => String, { nullable: true })
  applicantIdNumber?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Part of the applicant\'s name, ignoring diacritics and case: "bui duc trung" finds "Bùi Đức Trung". Indexed (trigrams).',
  })
  search?: string | null;
}

/** Adds the filter to a query on dossier `d`; every value is a bound parameter. */
export function applyFilter(q: SelectQueryBuilder<Dossier>, f: DossierFilter | null | undefined, now: Date): void {
  if (!f) return;
  if (f.departmentCode != null) q.andWhere('d.department = :fDepartment', { fDepartment: f.departmentCode });
  if (f.procedureCode != null) q.andWhere('d.procedure = :fProcedure', { fProcedure: f.procedureCode });
  if (f.channel != null) q.andWhere('d.channel = :fChannel', { fChannel: f.channel });
  if (f.status != null) q.andWhere('d.status = :fStatus', { fStatus: f.status });
  if (f.receivedFrom && f.receivedTo && f.receivedFrom > f.receivedTo) {
    throw badUserInput('receivedFrom is after receivedTo', { field: 'filter.receivedFrom' });
  }
  if (f.receivedFrom) q.andWhere('d.receivedAt >= :fFrom', { fFrom: f.receivedFrom });
  if (f.receivedTo) q.andWhere('d.receivedAt <= :fTo', { fTo: f.receivedTo });
  if (f.dueBefore) q.andWhere('d.dueAt < :fDue', { fDue: f.dueBefore });
  if (f.overdue != null) {
    const overdue = 'd.status IN (:...fRunning) AND d.dueAt < :fNow';
    q.andWhere(f.overdue ? overdue : `NOT (${overdue})`, { fRunning: CLOCK_RUNNING, fNow: now });
  }
  if (f.applicantIdNumber != null) {
    if (!/^\d{12}$/.test(f.applicantIdNumber)) throw badUserInput('applicantIdNumber must be 12 digits', { field: 'filter.applicantIdNumber' });
    q.andWhere('d.applicant.idNumber = :fId', { fId: f.applicantIdNumber });
  }
  if (f.search != null) {
    const text = f.search.trim();
    if (text.length < 2 || text.length > 100) throw badUserInput('search must be 2 to 100 characters', { field: 'filter.search' });
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q.andWhere(`d.applicant_search LIKE motcua_fold(:fSearch)`, { fSearch: pattern });
  }
}
