import { Arg, ClassType, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { recordDueDate } from './due-date';
import type DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import { guard, lookup, noSuchDossier, scopeOf } from '../access';
import { calendar } from '../calendar/working-time';
import { badUserInput, forbidden } from '../errors';
import { refusePersonalData } from '../free-text';
import { isDossierCode } from '../dossier-code';
import { onceFor } from '../messaging/idempotency';
import type { RequestContext } from '../subgraph';
import { checkDetail, DecisionDetailInput } from './decision-detail.input';
import { nextStatus, Step, STEPS } from './lifecycle';
import { Decision, ProcessingStatus } from './processing-status';
import type { ProcessingRecord } from './processing.record';
import { StatusChange } from './status-change.entity';
import { processingHours, waitsOf } from '../report/processing-time';

export interface ProcessingLoaders<T> {
  processing: DataLoader<string, T | null>;
  history: DataLoader<string, StatusChange[]>;
}

/** What a step changed, for the system's own follow-up (telling the centre, or updating its register). */
export interface StepTaken {
  step: Step;
  event: string;
  at: Date;
  status: ProcessingStatus;
  note?: string | null;
}

export interface ProcessingOptions<T> {
  /** The detail kinds this system issues, and how a decision's detail lands on its columns. */
  detailKinds: readonly string[];
  detail(d: Record<string, unknown>): Partial<T>;
  /** Runs in the step's transaction. */
  afterStep(m: EntityManager, row: T, taken: StepTaken, ctx: RequestContext<unknown>): Promise<void>;
}

const lowerFirst = (s: string) => s[0].toLowerCase() + s.slice(1);

/**
 * The resolver every processing type shares: its root lookup, its batched history, and the steps of
 * processing, named after the system (transportStartProcessing, policeDecide, oneStopRequestSupplement…)
 * because each system owns its own steps.
 */
export function processingResolver<T extends ProcessingRecord>(entity: ClassType<T>, typeName: string, options: ProcessingOptions<T>) {
  const prefix = lowerFirst(typeName.replace(/Processing$/, ''));
  const codeArg = (code: string) => {
    if (!isDossierCode(code)) throw badUserInput('dossierCode is not a dossier code', { field: 'dossierCode' });
  };

  async function take(
    ctx: RequestContext<ProcessingLoaders<T>>,
    dossierCode: string,
    step: Step,
    key: string | null | undefined,
    input: unknown,
    change: (row: T, at: Date, m: EntityManager) => Promise<void> | void,
    note?: string | null,
  ): Promise<T> {
    codeArg(dossierCode);
    const who = ctx.identity;
    if (who.role !== 'DEPARTMENT_OFFICER') throw forbidden(`${step} is a step for the department's officers`);
    const result = await ctx.db.transaction((m) =>
      onceFor(m, who, key, `${prefix}.${step}`, { dossierCode, input }, async () => {
        const row = await m.getRepository(entity).findOne({ where: { dossierCode } as never, lock: { mode: 'pessimistic_write' } });
        // Another department's dossier gets the answer of a missing one: neither tells whether it exists.
        if (!row || row.departmentCode !== who.department) throw noSuchDossier();
        const status = nextStatus(dossierCode, row.status, step);
        const at = new Date();
        await change(row, at, m);
        row.status = status;
        row.officer = who.subject;
        await m.getRepository(entity).save(row);
        await m.getRepository(StatusChange).insert({ dossierCode, status, at, officer: who.subject, note: note ?? null });
        await options.afterStep(m, row, { step, event: STEPS[step].event, at, status, note }, ctx);
        await ctx.audit.writeIn(m, scopeOf(row));
        return { result: row, ref: dossierCode };
      }, (code) => m.getRepository(entity).findOneByOrFail({ dossierCode: code } as never)),
    );
    await ctx.dispatch();
    return result;
  }

  @Resolver(() => entity)
  class ProcessingResolver {
    @Query(() => entity, {
      name: lowerFirst(typeName),
      nullable: true,
      description: `This system's processing record of a dossier; null when it has none.`,
    })
    async processing(
      @Arg('dossierCode') dossierCode: string,
      @Ctx() ctx: RequestContext<ProcessingLoaders<T>>,
    ): Promise<T | null> {
      codeArg(dossierCode);
      return lookup(ctx, await ctx.loaders.processing.load(dossierCode));
    }

    @FieldResolver(() => [StatusChange])
    async history(@Root() p: T, @Ctx() ctx: RequestContext<ProcessingLoaders<T>>): Promise<StatusChange[]> {
      const scope = scopeOf(p);
      return (await ctx.loaders.history.load(p.dossierCode)).map((c) => Object.assign(new StatusChange(), c, { scope }));
    }

    @Mutation(() => entity, { name: `${prefix}StartProcessing`, description: 'NEW → PROCESSING. An officer of the owning department.' })
    startProcessing(
      @Arg('dossierCode') dossierCode: string,
      @Arg('idempotencyKey', () => String, { nullable: true }) key: string | null,
      @Ctx() ctx: RequestContext<ProcessingLoaders<T>>,
    ): Promise<T> {
      return take(ctx, dossierCode, 'startProcessing', key, {}, () => {});
    }

    @Mutation(() => entity, {
      name: `${prefix}RequestSupplement`,
      description: 'PROCESSING → WAITING: supplementary documents requested; the deadline clock stops.',
    })
    requestSupplement(
      @Arg('dossierCode') dossierCode: string,
      @Arg('note', () => String) note: string,
      @Arg('idempotencyKey', () => String, { nullable: true }) key: string | null,
      @Ctx() ctx: RequestContext<ProcessingLoaders<T>>,
    ): Promise<T> {
      if (!note.trim() || note.length > 500) throw badUserInput('note must say what is missing (1 to 500 characters)', { field: 'note' });
      refusePersonalData('note', note);
      return take(ctx, dossierCode, 'requestSupplement', key, { note }, () => {}, note.trim());
    }

    @Mutation(() => entity, {
      name: `${prefix}ReceiveSupplement`,
      description: 'WAITING → PROCESSING: the due date moves by the working time spent waiting.',
    })
    receiveSupplement(
      @Arg('dossierCode') dossierCode: string,
      @Arg('idempotencyKey', () => String, { nullable: true }) key: string | null,
      @Ctx() ctx: RequestContext<ProcessingLoaders<T>>,
    ): Promise<T> {
      return take(ctx, dossierCode, 'receiveSupplement', key, {}, async (row, at, m) => {
        const [wait] = await m.query(
          `SELECT at FROM status_change WHERE dossier_code = $1 AND status = 'WAITING' ORDER BY at DESC, id DESC LIMIT 1`,
          [row.dossierCode],
        );
        const paused = wait ? calendar.workingHoursBetween(new Date(wait.at), at) : 0;
        if (row.dueAt && paused > 0) row.dueAt = calendar.addWorkingHours(row.dueAt, paused);
        await recordDueDate(m, row.dossierCode, row.dueAt, at, 'SUPPLEMENT_RECEIVED');
      });
    }

    @Mutation(() => entity, { name: `${prefix}Decide`, description: 'PROCESSING → RELEASING: approved or rejected, with what it issues.' })
    decide(
      @Arg('dossierCode') dossierCode: string,
      @Arg('decision', () => Decision) decision: Decision,
      @Arg('detail', () => DecisionDetailInput, { nullable: true }) detail: DecisionDetailInput | null,
      @Arg('idempotencyKey', () => String, { nullable: true }) key: string | null,
      @Ctx() ctx: RequestContext<ProcessingLoaders<T>>,
    ): Promise<T> {
      const checked = checkDetail(detail, options.detailKinds);
      if (decision === Decision.REJECTED && Object.keys(checked).length) {
        throw badUserInput('a rejection issues nothing: leave detail out', { field: 'detail' });
      }
      return take(ctx, dossierCode, 'decide', key, { decision, detail: checked }, async (row, at, m) => {
        row.decision = decision;
        row.decidedAt = at;
        row.decidedBy = ctx.identity.subject;
        row.processingHours = String(processingHours(row.receivedAt, at, waitsOf(await m.getRepository(StatusChange).find({
          where: { dossierCode } as never, order: { at: 'ASC', id: 'ASC' } as never,
        }))));
        Object.assign(row, options.detail(checked));
      });
    }
  }
  return ProcessingResolver;
}

export function processingReference<T extends ProcessingRecord>(typeName: string) {
  return {
    [typeName]: {
      async __resolveReference(ref: { dossierCode: string }, ctx: RequestContext<ProcessingLoaders<T>>) {
        return guard(ctx, await ctx.loaders.processing.load(ref.dossierCode));
      },
    },
  };
}
