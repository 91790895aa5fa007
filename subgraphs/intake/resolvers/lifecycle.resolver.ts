import { Arg, Ctx, Field, InputType, Mutation, Resolver } from 'type-graphql';
import { recordDueDate } from '../../kit/department/due-date';
import type { EntityManager } from 'typeorm';
import { calendar, localDate } from '../../kit/calendar/working-time';
import { nextStatus, STEPS, WITHDRAWAL_REQUESTED } from '../../kit/department/lifecycle';
import { applyCentreStep, openProcessing } from '../../kit/department/processing.handlers';
import { ProcessingStatus } from '../../kit/department/processing-status';
import { noSuchDossier } from '../../kit/access';
import { badUserInput, conflict, forbidden } from '../../kit/errors';
import { refusePersonalData } from '../../kit/free-text';
import { isDossierCode } from '../../kit/dossier-code';
import { isTrackingNumber } from '../../postal/tracking-number';
import type { Identity } from '../../kit/identity';
import { onceFor } from '../../kit/messaging/idempotency';
import { closedMonthAt, closedPeriod, monthOf } from '../../kit/periods/period.store';
import { enqueue, notePendingFor } from '../../kit/messaging/outbox';
import type { RequestContext } from '../../kit/subgraph';
import { Channel, RatingLevel, ResultChannel } from '../entities/channel';
import { Department } from '../entities/department.entity';
import { Dossier } from '../entities/dossier.entity';
import { OneStopProcessing } from '../entities/one-stop-processing.entity';
import { Procedure } from '../entities/procedure.entity';
import { Rating } from '../entities/rating.entity';
import { counterClosure } from '../counter-closures';
import { nextDossierCode } from '../dossier-code.allocator';
import type { IntakeLoaders } from '../loaders';
import { logEvents } from '../register';

type Ctx = RequestContext<IntakeLoaders>;

/** How long a withdrawal waits for a department system's answer before it answers "requested". */
const WITHDRAWAL_WAIT_MS = 4_000;

@InputType()
export class ApplicantInput {
  @Field()
  fullName: string;

  @Field({ description: '12 digits.' })
  idNumber: string;

  @Field(() => String, { nullable: true })
  phone?: string | null;

  @Field(() => String, { nullable: true })
  address?: string | null;
}

@InputType()
export class ReceiveDossierInput {
  @Field({ description: 'National procedure code, e.g. 1.002820.' })
  procedureCode: string;

  @Field(() => Channel)
  channel: Channel;

  @Field(() => Date, { nullable: true, description: 'When the centre received it; now when omitted. Never in the future, nor earlier than 24 hours ago.' })
  receivedAt?: Date | null;

  @Field(() => ApplicantInput)
  applicant: ApplicantInput;

  @Field(() => String, { nullable: true, description: 'For the POSTAL channel: the item that brought the dossier (S10 number).' })
  inboundTrackingNumber?: string | null;
}

/** How far back a client may date a dossier it registers (a day; and never into a closed reporting period). */
export const RECEIVED_AT_PAST_LIMIT_MS = 24 * 3_600_000;

const bad = (field: string, message: string) => badUserInput(`${field}: ${message}`, { field });

const closedMonthConflict = (month: string) =>
  conflict(`receivedAt: ${month} is a closed reporting period; a dossier received then comes through a correction (npm run import -- FILE --correction "reason")`, { field: 'receivedAt' });

function checkApplicant(a: ApplicantInput): ApplicantInput {
  const fullName = (a.fullName ?? '').trim().replace(/\s+/g, ' ');
  if (fullName.length < 2 || fullName.length > 120 || /[\p{Cc}<>]/u.test(fullName) || /\d/.test(fullName)) {
    throw bad('applicant.fullName', 'a name of 2 to 120 letters is required');
  }
  if (!/^\d{12}$/.test(a.idNumber ?? '')) throw bad('applicant.idNumber', 'must be the 12-digit citizen ID number');
  const phone = a.phone?.trim() || null;
  if (phone !== null && !/^0\d{9,10}$/.test(phone)) throw bad('applicant.phone', 'must be a Vietnamese number of 10 or 11 digits starting with 0');
  const address = a.address?.trim() || null;
  if (address !== null && (address.length > 300 || /[\p{Cc}]/u.test(address))) throw bad('applicant.address', 'at most 300 characters');
  return { fullName, idNumber: a.idNumber, phone, address };
}

function requireRole(who: Identity, roles: string[], step: string): void {
  if (!roles.includes(who.role)) throw forbidden(`${step} is a step for ${roles.join(' or ')}`);
}

@Resolver()
export class LifecycleResolver {
  @Mutation(() => Dossier, {
    description:
      'Registers a dossier from any channel: gives it its code, computes its deadline from the procedure and the ' +
      'working-hour calendar, and hands it to the system that processes it. Centre staff, or the online portal (SERVICE).',
  })
  async receiveDossier(
    @Arg('input', () => ReceiveDossierInput) input: ReceiveDossierInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) key: string | null,
    @Ctx() ctx: Ctx,
  ): Promise<Dossier> {
    requireRole(ctx.identity, ['CENTRE_STAFF', 'SERVICE'], 'receiving a dossier');
    const applicant = checkApplicant(input.applicant ?? ({} as ApplicantInput));
    if (typeof input.procedureCode !== 'string' || !/^\d\.\d{6}$/.test(input.procedureCode)) {
      throw bad('procedureCode', 'not a national procedure code such as 1.002820');
    }
    const now = new Date();
    const receivedAt = input.receivedAt ?? now;
    if (receivedAt.getTime() > now.getTime() + 60_000) throw bad('receivedAt', 'cannot be in the future');
    // A client could otherwise file dossiers into months already reported; older records come through the history import.
    if (receivedAt.getTime() < now.getTime() - RECEIVED_AT_PAST_LIMIT_MS) {
      if (await closedPeriod(ctx.db, monthOf(receivedAt))) throw closedMonthConflict(monthOf(receivedAt));
      throw bad('receivedAt', 'no earlier than 24 hours ago: older dossiers come through the history import');
    }
    const inbound = input.inboundTrackingNumber ?? null;
    if (inbound !== null && (input.channel !== Channel.POSTAL || !isTrackingNumber(inbound))) {
      throw bad('inboundTrackingNumber', 'a valid S10 item number, for the POSTAL channel only');
    }
    const closure = input.channel === Channel.DIRECT ? counterClosure(localDate(receivedAt)) : undefined;
    if (closure) throw conflict(`the counters are closed from ${closure.from} to ${closure.to}: ${closure.reason}`, { field: 'channel' });

    const dossier = await ctx.db.transaction((m) =>
      onceFor(m, ctx.identity, key, 'receiveDossier', { ...input, applicant, receivedAt: input.receivedAt?.toISOString() ?? null }, async () => {
        const procedure = await m.getRepository(Procedure).findOne({ where: { code: input.procedureCode }, relations: { department: true } });
        if (!procedure) throw bad('procedureCode', `no procedure ${input.procedureCode} in the catalogue`);
        if (procedure.retiredAt) throw bad('procedureCode', `procedure ${input.procedureCode} was retired on ${localDate(procedure.retiredAt)}: it takes no new dossiers`);
        const department: Department = procedure.department;
        // Read under a share lock: a department moving to its own system switches under it (npm run department:move),
        // so a dossier received meanwhile goes where the department now works.
        [{ system: department.system }] = await m.query('SELECT system FROM department WHERE code = $1 FOR SHARE', [department.code]);
        const closedMonth = await closedMonthAt(m, receivedAt, now);
        if (closedMonth) throw closedMonthConflict(closedMonth);
        const code = await nextDossierCode(m, department.unitCode, receivedAt);
        const dueAt = calendar.dueAt(receivedAt, procedure.workingDays);
        if (!department.system) {
          await openProcessing(m, OneStopProcessing, code, {
            procedureCode: procedure.code, departmentCode: department.code, receivedAt, dueAt, applicantIdNumber: applicant.idNumber,
          }, now);
        }
        await m.getRepository(Dossier).insert({
          code,
          procedure: { code: procedure.code } as Procedure,
          department: { code: department.code } as Department,
          processingSystem: department.system,
          applicant,
          channel: input.channel,
          receivedAt,
          dueAt,
          handedOverAt: now,
          status: ProcessingStatus.NEW,
        });
        await recordDueDate(m, code, dueAt, receivedAt, 'RECEIVED');
        await logEvents(m, code, [
          { at: receivedAt, system: 'intake', type: 'RECEIVED', detail: input.channel },
          { at: now, system: 'intake', type: 'HANDED_OVER', detail: department.system ?? 'one-stop' },
        ]);
        if (department.system) {
          await enqueue(m, [{
            destination: department.system,
            dossierCode: code,
            type: 'HANDOVER',
            payload: {
              procedureCode: procedure.code,
              departmentCode: department.code,
              receivedAt: receivedAt.toISOString(),
              dueAt: dueAt.toISOString(),
              handedOverAt: now.toISOString(),
              applicantIdNumber: applicant.idNumber,
            },
          }]);
        }
        if (inbound) {
          await enqueue(m, [{
            destination: 'postal',
            dossierCode: code,
            type: 'INBOUND_RECEIVED',
            payload: {
              trackingNumber: inbound,
              at: receivedAt.toISOString(),
              senderName: applicant.fullName,
              address: applicant.address ?? '',
              phone: applicant.phone,
              departmentCode: department.code,
              applicantIdNumber: applicant.idNumber,
            },
          }]);
        }
        // In this transaction: no dossier without the record of its personal data written.
        await ctx.audit.writeIn(m, { dossierCode: code, departmentCode: department.code, applicantIdNumber: applicant.idNumber }, 'fullName', 'idNumber', 'phone', 'address');
        const created = await m.getRepository(Dossier).findOneByOrFail({ code });
        return { result: created, ref: code };
      }, async (code) => {
        await notePendingFor(m, code);
        return m.getRepository(Dossier).findOneByOrFail({ code });
      }),
    );
    await ctx.dispatch();
    return dossier;
  }

  @Mutation(() => Dossier, {
    description: 'Gives the decided result back, at the counter or by post (POSTAL asks postal to carry it). Centre staff.',
  })
  async returnResult(
    @Arg('dossierCode') dossierCode: string,
    @Arg('channel', () => ResultChannel) channel: ResultChannel,
    @Arg('idempotencyKey', () => String, { nullable: true }) key: string | null,
    @Ctx() ctx: Ctx,
  ): Promise<Dossier> {
    requireRole(ctx.identity, ['CENTRE_STAFF'], 'returning a result');
    if (channel === ResultChannel.DIRECT) {
      const closure = counterClosure(localDate(new Date()));
      if (closure) throw conflict(`the counters are closed from ${closure.from} to ${closure.to}: return it by post`, { field: 'channel' });
    }
    return this.step(ctx, dossierCode, 'returnResult', key, { channel }, async (m, d, at) => {
      d.returnedAt = at;
      d.returnChannel = channel;
      if (channel === ResultChannel.POSTAL) {
        ctx.audit.write(d.scope, 'fullName', 'address', 'phone');
        await enqueue(m, [{
          destination: 'postal',
          dossierCode: d.code,
          type: 'OUTBOUND',
          payload: {
            at: at.toISOString(),
            recipientName: d.applicant.fullName,
            address: d.applicant.address ?? '',
            phone: d.applicant.phone,
            departmentCode: d.departmentCode,
            applicantIdNumber: d.applicant.idNumber,
          },
        }]);
      }
      return channel;
    });
  }

  @Mutation(() => Dossier, {
    description:
      'The applicant withdraws the dossier before it is decided. Centre staff, or the applicant. In the one-stop system it is ' +
      "cancelled at once. A department's own system orders the withdrawal against its decision: the answer waits a few " +
      'seconds for it, then is the cancelled dossier, or CONFLICT when the decision came first; when the system does not ' +
      'answer in time, the dossier with withdrawalRequestedAt set, settled when it answers.',
  })
  async withdrawDossier(
    @Arg('dossierCode') dossierCode: string,
    @Arg('idempotencyKey', () => String, { nullable: true }) key: string | null,
    @Ctx() ctx: Ctx,
  ): Promise<Dossier> {
    requireRole(ctx.identity, ['CENTRE_STAFF', 'CITIZEN'], 'withdrawing a dossier');
    if (!isDossierCode(dossierCode)) throw bad('dossierCode', 'not a dossier code');
    const asked = Date.now();
    const dossier = await ctx.db.transaction((m) =>
      onceFor(m, ctx.identity, key, 'withdraw', { dossierCode }, async () => {
        const d = await this.load(ctx, m, dossierCode, true);
        const at = new Date();
        if (!d.processingSystem) {
          const status = nextStatus(dossierCode, d.status, 'withdraw');
          await applyCentreStep(m, OneStopProcessing, dossierCode, 'withdraw', at, ctx.identity.subject);
          d.status = status;
          d.withdrawnAt = at;
          await m.getRepository(Dossier).save(d);
          await logEvents(m, d.code, [{ at, system: 'intake', type: STEPS.withdraw.event }]);
        } else if (!d.withdrawalRequestedAt) {
          nextStatus(dossierCode, d.status, 'withdraw');
          d.withdrawalRequestedAt = at;
          await m.getRepository(Dossier).save(d);
          await logEvents(m, d.code, [{ at, system: 'intake', type: WITHDRAWAL_REQUESTED }]);
          await enqueue(m, [{ destination: d.processingSystem, dossierCode, type: STEPS.withdraw.event, payload: { at: at.toISOString() } }]);
        }
        await ctx.audit.writeIn(m, d.scope);
        // A request already pending is the same request: it waits for the same answer.
        return { result: d, ref: dossierCode };
      }, (code) => m.getRepository(Dossier).findOneByOrFail({ code })),
    );
    await ctx.dispatch();
    return dossier.processingSystem ? this.withdrawalAnswer(ctx, dossier, asked + WITHDRAWAL_WAIT_MS) : dossier;
  }

  @Mutation(() => Rating, { description: "The applicant's rating of the centre's service, once per dossier. The applicant, or staff at the counter kiosk." })
  async rateService(
    @Arg('dossierCode') dossierCode: string,
    @Arg('level', () => RatingLevel) level: RatingLevel,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Arg('idempotencyKey', () => String, { nullable: true }) key: string | null,
    @Ctx() ctx: Ctx,
  ): Promise<Rating> {
    requireRole(ctx.identity, ['CENTRE_STAFF', 'CITIZEN'], 'rating the service');
    if (!isDossierCode(dossierCode)) throw bad('dossierCode', 'not a dossier code');
    const why = reason?.trim() || null;
    if (level === RatingLevel.DISSATISFIED && !why) throw bad('reason', 'a reason is required when dissatisfied');
    if (why && why.length > 500) throw bad('reason', 'at most 500 characters');
    refusePersonalData('reason', why);
    const rating = await ctx.db.transaction((m) =>
      onceFor(m, ctx.identity, key, 'rateService', { dossierCode, level, reason: why }, async () => {
        const d = await this.load(ctx, m, dossierCode);
        if (await m.getRepository(Rating).findOne({ where: { dossier: { code: dossierCode } } })) {
          throw conflict(`dossier ${dossierCode} is already rated`);
        }
        const at = new Date();
        const { identifiers } = await m.getRepository(Rating).insert({
          dossier: { code: d.code } as Dossier, level, reason: why, officer: null, ratedAt: at,
        });
        await logEvents(m, d.code, [{ at, system: 'intake', type: 'RATED', detail: level }]);
        await ctx.audit.writeIn(m, d.scope);
        const id = String(identifiers[0].id);
        return { result: await m.getRepository(Rating).findOneByOrFail({ id }), ref: id };
      }, (id) => m.getRepository(Rating).findOneByOrFail({ id })),
    );
    const d = await ctx.loaders.dossier.load(dossierCode);
    return Object.assign(rating, { scope: d?.scope });
  }

  private async load(ctx: Ctx, m: EntityManager, dossierCode: string, step = false): Promise<Dossier> {
    // The one-stop steps lock and write their processing record (and its day's rollup), then the register row
    // (and the register's rollup): a centre step does the same, or a withdrawal and a decision of dossiers of
    // the same day could deadlock.
    if (step) await m.query('SELECT 1 FROM processing WHERE dossier_code = $1 FOR UPDATE', [dossierCode]);
    const d = await m.getRepository(Dossier).findOne({ where: { code: dossierCode }, lock: { mode: 'pessimistic_write' } });
    if (!d) throw noSuchDossier();
    const who = ctx.identity;
    if (who.role === 'CITIZEN' && who.citizenId !== d.applicant.idNumber) throw noSuchDossier();
    return d;
  }

  /**
   * The department system's answer to a withdrawal request, as the register records it: waits (polling the
   * register row, which its STATUS hand-over updates) until `deadline`, then answers with what is known.
   */
  private async withdrawalAnswer(ctx: Ctx, requested: Dossier, deadline: number): Promise<Dossier> {
    const code = requested.code;
    for (let pause = 10; ; pause = Math.min(pause * 2, 100)) {
      const [row] = await ctx.db.query(`SELECT withdrawal_requested_at IS NULL AS answered FROM dossier WHERE code = $1`, [code]);
      if (row.answered || Date.now() + pause > deadline) break;
      await new Promise((r) => setTimeout(r, pause));
    }
    const d = await ctx.db.getRepository(Dossier).findOneByOrFail({ code });
    if (d.withdrawalRequestedAt || d.status === ProcessingStatus.CANCELLED) return d;
    throw conflict(
      `dossier ${code} was decided${d.decision ? ` (${d.decision})` : ''} before the withdrawal reached its department's system: it is ${d.status}`,
      { currentStatus: d.status },
    );
  }

  /** A register step: checks the status, changes the register, and tells the processing system. */
  private async step(
    ctx: Ctx,
    dossierCode: string,
    step: 'returnResult',
    key: string | null,
    input: Record<string, unknown>,
    change: (m: EntityManager, d: Dossier, at: Date) => Promise<ResultChannel | null>,
  ): Promise<Dossier> {
    if (!isDossierCode(dossierCode)) throw bad('dossierCode', 'not a dossier code');
    const result = await ctx.db.transaction((m) =>
      onceFor(m, ctx.identity, key, step, { dossierCode, ...input }, async () => {
        const d = await this.load(ctx, m, dossierCode, true);
        const status = nextStatus(dossierCode, d.status, step);
        const at = new Date();
        if (!d.processingSystem) await applyCentreStep(m, OneStopProcessing, dossierCode, step, at, ctx.identity.subject);
        const detail = await change(m, d, at);
        d.status = status;
        await m.getRepository(Dossier).save(d);
        const type = STEPS[step].event;
        await logEvents(m, d.code, [{ at, system: 'intake', type, detail }]);
        if (d.processingSystem) {
          await enqueue(m, [{ destination: d.processingSystem, dossierCode, type, payload: { at: at.toISOString(), channel: detail } }]);
        }
        await ctx.audit.writeIn(m, d.scope);
        return { result: d, ref: dossierCode };
      }, (code) => m.getRepository(Dossier).findOneByOrFail({ code })),
    );
    await ctx.dispatch();
    return result;
  }
}
