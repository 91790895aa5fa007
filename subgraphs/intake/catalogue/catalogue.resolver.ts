import { Arg, Ctx, Field, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { EntityManager } from 'typeorm';
import { badUserInput, forbidden, notFound } from '../../kit/errors';
import { refusePersonalData } from '../../kit/free-text';
import { LocalDateScalar } from '../../kit/report/period';
import type { RequestContext } from '../../kit/subgraph';
import { Department } from '../entities/department.entity';
import { Procedure } from '../entities/procedure.entity';
import type { IntakeLoaders } from '../loaders';
import { applyCatalogue, CATALOGUE_LOCK, Tally } from './catalogue.import';
import type { CatalogueFile } from './catalogue.file';

type Ctx = RequestContext<IntakeLoaders>;

@InputType({ description: 'A procedure of the catalogue, as in a catalogue file (docs/catalogue.md).' })
export class ProcedureInput {
  @Field({ description: 'National catalogue code, e.g. 1.002820.' })
  code: string;

  @Field()
  name: string;

  @Field()
  departmentCode: string;

  @Field(() => Int, { description: 'Statutory time in working days, at least 1.' })
  workingDays: number;

  @Field(() => Int, { description: 'Fee in Vietnamese đồng, 0 or more.' })
  fee: number;
}

@InputType({ description: 'A department, as in a catalogue file (docs/catalogue.md).' })
export class DepartmentInput {
  @Field({ description: '2 to 16 capital letters, e.g. SGTVT.' })
  code: string;

  @Field()
  name: string;

  @Field({ description: 'Unit code in the national system, the prefix of its dossier codes; fixed once it has dossiers.' })
  unitCode: string;

  @Field(() => String, { nullable: true, description: "Its own system's name in the registry (transport, police, industry-trade), or null for the one-stop system." })
  system: string | null;
}

@ObjectType({ description: 'What a change of the working calendar did.' })
export class CalendarChangeOutcome {
  @Field(() => Int, { description: 'Days the calendar did not have yet.' })
  added: number;

  @Field(() => Int, { description: "Open dossiers whose due date was recomputed (each shows it in its timeline)." })
  recomputed: number;
}

function requireAdmin(ctx: Ctx, what: string): void {
  if (ctx.identity.role !== 'CENTRE_ADMIN') throw forbidden(`${what} is for CENTRE_ADMIN`);
}

/** The one entry's problems, named as the mutation's input rather than as a file's entry. */
async function applyOne(m: EntityManager, file: CatalogueFile, reason: string): Promise<{ departments: Tally; procedures: Tally; calendar: CalendarChangeOutcome }> {
  const outcome = await applyCatalogue(m, file, reason);
  if (!outcome.ok) {
    throw badUserInput(outcome.problems.map((p) => p.replace(/^(departments|procedures)\[0\]( \(code [^)]*\))?|^calendar\.holidays\[0\]/, 'input')).join('; '));
  }
  return outcome;
}

/** The fields a change touched, for its audit record. */
const changed = (before: Record<string, unknown> | null, after: Record<string, unknown>) =>
  Object.keys(after).filter((k) => !before || before[k] !== after[k]);

/** Centre administrators keep the catalogue and the calendar; every change is a record in the audit chain. */
@Resolver()
export class CatalogueResolver {
  @Mutation(() => Procedure, { description: 'Adds a procedure to the catalogue, or changes one by code (the checks of a catalogue file). CENTRE_ADMIN.' })
  async upsertProcedure(@Arg('input', () => ProcedureInput) input: ProcedureInput, @Ctx() ctx: Ctx): Promise<Procedure> {
    requireAdmin(ctx, 'changing the catalogue');
    const entry = { code: input.code, name: input.name?.trim(), departmentCode: input.departmentCode, workingDays: input.workingDays, fee: input.fee };
    return ctx.db.transaction(async (m) => {
      const before = await m.getRepository(Procedure).findOneBy({ code: entry.code });
      const { procedures } = await applyOne(m, { departments: [], procedures: [entry] }, 'upsertProcedure');
      if (procedures.unchanged === 0) {
        await ctx.audit.writeIn(m, { dossierCode: `procedure:${entry.code}`, departmentCode: entry.departmentCode, applicantIdNumber: null },
          ...changed(before as any, entry));
      }
      return m.getRepository(Procedure).findOneByOrFail({ code: entry.code });
    });
  }

  @Mutation(() => Department, { description: 'Adds a department, or changes one by code (the checks of a catalogue file). CENTRE_ADMIN.' })
  async upsertDepartment(@Arg('input', () => DepartmentInput) input: DepartmentInput, @Ctx() ctx: Ctx): Promise<Department> {
    requireAdmin(ctx, 'changing the catalogue');
    const entry = { code: input.code, name: input.name?.trim(), unitCode: input.unitCode, system: input.system ?? null };
    return ctx.db.transaction(async (m) => {
      const before = await m.getRepository(Department).findOneBy({ code: entry.code });
      const { departments } = await applyOne(m, { departments: [entry], procedures: [] }, 'upsertDepartment');
      if (departments.unchanged === 0) {
        await ctx.audit.writeIn(m, { dossierCode: `department:${entry.code}`, departmentCode: entry.code, applicantIdNumber: null }, ...changed(before as any, entry));
      }
      return m.getRepository(Department).findOneByOrFail({ code: entry.code });
    });
  }

  @Mutation(() => Procedure, {
    description:
      'Retires a procedure: its dossiers, figures and lookups stay; receiving a new dossier for it is refused. Retiring a retired one ' +
      'changes nothing. CENTRE_ADMIN.',
  })
  async retireProcedure(@Arg('code') code: string, @Ctx() ctx: Ctx): Promise<Procedure> {
    requireAdmin(ctx, 'changing the catalogue');
    return ctx.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [CATALOGUE_LOCK]);
      const procedure = await m.getRepository(Procedure).findOneBy({ code });
      if (!procedure) throw notFound(`no procedure ${String(code).slice(0, 20)} in the catalogue`, { field: 'code' });
      if (procedure.retiredAt) return procedure;
      await m.getRepository(Procedure).update({ code }, { retiredAt: new Date() });
      await ctx.audit.writeIn(m, { dossierCode: `procedure:${code}`, departmentCode: procedure.departmentCode, applicantIdNumber: null }, 'retiredAt');
      return m.getRepository(Procedure).findOneByOrFail({ code });
    });
  }

  @Mutation(() => CalendarChangeOutcome, {
    description:
      "Adds a day off to the working calendar (a provincial holiday, a storm closure): every system's calendar gets it and open " +
      "dossiers' due dates are recomputed, each change in its timeline with the reason. Adding a known day changes nothing. CENTRE_ADMIN.",
  })
  async addHoliday(
    @Arg('date', () => LocalDateScalar) date: string,
    @Arg('reason', { description: 'Why, as the decision says it: shown in the timelines of the dossiers it moves.' }) reason: string,
    @Ctx() ctx: Ctx,
  ): Promise<CalendarChangeOutcome> {
    requireAdmin(ctx, 'changing the calendar');
    const why = (reason ?? '').trim();
    if (why.length < 3 || why.length > 300) throw badUserInput('reason: 3 to 300 characters, as the decision says it', { field: 'reason' });
    refusePersonalData('reason', why);
    return ctx.db.transaction(async (m) => {
      const { calendar } = await applyOne(m, { departments: [], procedures: [], calendar: { holidays: [date] } }, why);
      if (calendar.added) await ctx.audit.writeIn(m, { dossierCode: `holiday:${date}`, departmentCode: null, applicantIdNumber: null }, 'holidays');
      return calendar;
    });
  }
}
