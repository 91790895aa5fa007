import { guard } from '../kit/access';
import type { RequestContext } from '../kit/subgraph';
import type { IntakeLoaders } from './loaders';

type Ctx = RequestContext<IntakeLoaders>;

export const intakeReferences = {
  Dossier: {
    __resolveReference: async (ref: { code: string }, ctx: Ctx) => {
      const row = await ctx.loaders.dossier.load(ref.code);
      return row && guard(ctx, row.scope) && row;
    },
  },
  Department: { __resolveReference: (ref: { code: string }, ctx: Ctx) => ctx.loaders.department.load(ref.code) },
  Procedure: { __resolveReference: (ref: { code: string }, ctx: Ctx) => ctx.loaders.procedure.load(ref.code) },
};
