import { createHash, timingSafeEqual } from 'node:crypto';
import { Arg, Ctx, Field, FieldResolver, ObjectType, Query, Resolver, Root, registerEnumType } from 'type-graphql';
import { badUserInput } from '../../kit/errors';
import { isDossierCode } from '../../kit/dossier-code';
import type { RequestContext } from '../../kit/subgraph';
import { Channel } from '../entities/channel';
import { Department } from '../entities/department.entity';
import { Procedure } from '../entities/procedure.entity';
import type { IntakeLoaders } from '../loaders';

export enum ReceiptStage {
  RECEIVED = 'RECEIVED',
  DECIDED = 'DECIDED',
  RESULT_RETURNED = 'RESULT_RETURNED',
  WITHDRAWN = 'WITHDRAWN',
}
registerEnumType(ReceiptStage, { name: 'ReceiptStage', description: "Where a dossier stands, as the centre's register knows it." });

@ObjectType({ description: 'What the receipt lookup tells whoever holds the dossier code and the applicant\'s ID number: no personal data.' })
export class Receipt {
  @Field()
  code: string;

  @Field(() => Channel)
  channel: Channel;

  @Field(() => Date)
  receivedAt: Date;

  @Field(() => Date, { nullable: true })
  dueAt: Date | null;

  @Field(() => ReceiptStage)
  stage: ReceiptStage;

  @Field(() => Date, { nullable: true })
  decidedAt: Date | null;

  @Field(() => Date, { nullable: true })
  returnedAt: Date | null;

  procedureCode: string;
  departmentCode: string;
}

type Ctx = RequestContext<IntakeLoaders>;

/** Compared against when the code is unknown: never a valid ID number (12 digits), so never a match. */
const NO_ID_NUMBER = 'x'.repeat(12);
const digest = (s: string) => createHash('sha256').update(s).digest();
const sameIdNumber = (stored: string, given: string) => timingSafeEqual(digest(stored), digest(given));

@Resolver(() => Receipt)
export class ReceiptResolver {
  @Query(() => Receipt, {
    nullable: true,
    description: 'The receipt lookup, open to anyone: a dossier by its code and the applicant\'s citizen ID number; null unless both match.',
  })
  async receipt(@Arg('code') code: string, @Arg('idNumber') idNumber: string, @Ctx() ctx: Ctx): Promise<Receipt | null> {
    if (!isDossierCode(code)) throw badUserInput('code is not a dossier code', { field: 'code' });
    if (!/^\d{12}$/.test(idNumber)) throw badUserInput('idNumber must be 12 digits', { field: 'idNumber' });
    // The same work for every wrong input: one indexed lookup, a comparison that takes as long whatever matches, and
    // a refusal audited alike, so that the time of the answer cannot tell a known code from an unknown one.
    const d = await ctx.loaders.dossier.load(code);
    const matches = sameIdNumber(d?.applicant.idNumber ?? NO_ID_NUMBER, idNumber);
    if (!d || !matches) {
      ctx.audit.deny({ dossierCode: code, departmentCode: null, applicantIdNumber: null }, 'READ', 'idNumber');
      return null;
    }
    ctx.audit.read(d.scope, 'idNumber');
    const stage = d.withdrawnAt
      ? ReceiptStage.WITHDRAWN
      : d.returnedAt
        ? ReceiptStage.RESULT_RETURNED
        : d.decidedAt
          ? ReceiptStage.DECIDED
          : ReceiptStage.RECEIVED;
    return Object.assign(new Receipt(), {
      code: d.code,
      channel: d.channel,
      receivedAt: d.receivedAt,
      dueAt: d.dueAt,
      stage,
      decidedAt: d.decidedAt,
      returnedAt: d.returnedAt,
      procedureCode: d.procedureCode,
      departmentCode: d.departmentCode,
    });
  }

  @FieldResolver(() => Procedure)
  async procedure(@Root() r: Receipt, @Ctx() ctx: Ctx): Promise<Procedure> {
    return (await ctx.loaders.procedure.load(r.procedureCode))!;
  }

  @FieldResolver(() => Department)
  async department(@Root() r: Receipt, @Ctx() ctx: Ctx): Promise<Department> {
    return (await ctx.loaders.department.load(r.departmentCode))!;
  }
}

