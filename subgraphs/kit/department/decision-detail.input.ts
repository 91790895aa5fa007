import { Field, InputType } from 'type-graphql';
import { badUserInput } from '../errors';

/** What a decision issues; each system keeps the parts that apply to it. */
@InputType({ description: 'The licence, certificate or document a decision issues.' })
export class DecisionDetailInput {
  @Field(() => String, { nullable: true, description: "The kind, from the system's own list (e.g. DRIVING_LICENCE)." })
  kind?: string | null;

  @Field(() => String, { nullable: true })
  number?: string | null;

  @Field(() => String, { nullable: true })
  vehiclePlate?: string | null;

  @Field(() => Date, { nullable: true })
  validUntil?: Date | null;

  @Field(() => Date, { nullable: true })
  issuedAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'For the one-stop system: the result document number.' })
  resultDocument?: string | null;
}

export function checkDetail(d: DecisionDetailInput | null | undefined, kinds: readonly string[]): Record<string, unknown> {
  if (!d) return {};
  for (const f of ['number', 'vehiclePlate', 'resultDocument'] as const) {
    const v = d[f];
    if (v != null && (v.trim() === '' || v.length > 40)) throw badUserInput(`detail.${f} must be 1 to 40 characters`, { field: `detail.${f}` });
  }
  if (d.kind != null && !kinds.includes(d.kind)) {
    throw badUserInput(`detail.kind must be one of ${kinds.join(', ') || '(none here)'}`, { field: 'detail.kind' });
  }
  return Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined));
}
