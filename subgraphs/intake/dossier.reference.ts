import type { RequestContext } from '../kit/subgraph';
import type { IntakeLoaders } from './loaders';

type Ctx = RequestContext<IntakeLoaders>;

export const intakeReferences = {
  Dossier: { __resolveReference: (ref: { code: string }, ctx: Ctx) => ctx.loaders.dossier.load(ref.code) },
  Department: { __resolveReference: (ref: { code: string }, ctx: Ctx) => ctx.loaders.department.load(ref.code) },
  Procedure: { __resolveReference: (ref: { code: string }, ctx: Ctx) => ctx.loaders.procedure.load(ref.code) },
};
