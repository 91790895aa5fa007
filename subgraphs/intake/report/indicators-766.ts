import { Directive, Field, FieldResolver, Float, ObjectType, Resolver, Root } from 'type-graphql';
import { percent } from '../../kit/report/period';
import type { CompletedReport } from './report.resolver';
import { Report, REQUIRES_FIGURES } from './report.types';

@ObjectType({ description: 'An indicator of Decision 766/QĐ-TTg (2022) over this report, or why the graph cannot compute it.' })
export class Indicator766 {
  @Field({ description: 'The indicator group and name, as the decision words it.' })
  name: string;

  @Field({ description: 'The formula, and the report figures it reads.' })
  formula: string;

  @Field()
  computable: boolean;

  @Field(() => Float, { nullable: true, description: 'Percent, two decimals, rounded half up; null when not computable or the whole is 0.' })
  value: number | null;

  @Field(() => String, { nullable: true, description: 'Why it cannot be computed from the graph\'s data.' })
  reason: string | null;
}

const missing = (name: string, formula: string, reason: string) =>
  Object.assign(new Indicator766(), { name, formula, computable: false, value: null, reason });

/** The indicators of Decision 766 this report's figures give, and the others named as not computable. */
export function indicators766(r: CompletedReport): Indicator766[] {
  const res = r.resolved;
  const rt = r.register.ratings;
  const rec = r.register.received;
  const ok = (name: string, formula: string, value: number | null) =>
    Object.assign(new Indicator766(), { name, formula, computable: true, value, reason: null });
  return [
    ok('Tiến độ, kết quả giải quyết: tỷ lệ hồ sơ giải quyết trước và đúng hạn',
      '(resolved.early + resolved.onTime) / resolved.total × 100%', percent(res.early + res.onTime, res.total)),
    ok('Cung cấp dịch vụ trực tuyến: tỷ lệ hồ sơ trực tuyến', 'received.online / received.total × 100%', percent(rec.online, rec.total)),
    ok('Mức độ hài lòng: tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC',
      '(ratings.total − ratings.dissatisfied) / ratings.total × 100% (over the dossiers rated: the graph records no complaints)',
      percent(rt.total - rt.dissatisfied, rt.total)),
    missing('Mức độ hài lòng: tỷ lệ phản ánh, kiến nghị xử lý đúng hạn', 'feedback handled on time / feedback received × 100%',
      'the graph records no feedback (phản ánh, kiến nghị)'),
    missing('Mức độ hài lòng: tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị', '(feedback − dissatisfied or late) / feedback × 100%',
      'the graph records no feedback (phản ánh, kiến nghị)'),
    missing('Công khai, minh bạch: tỷ lệ TTHC được công khai đúng hạn', 'procedures published on time / procedures × 100%',
      'the catalogue keeps no publication dates'),
    missing('Số hóa hồ sơ: tỷ lệ số hóa hồ sơ, kết quả', 'dossiers digitised / dossiers received × 100%',
      'the graph keeps no record of digitised documents'),
    missing('Cung cấp dịch vụ trực tuyến: tỷ lệ thanh toán trực tuyến', 'fees paid online / fees paid × 100%',
      'the graph keeps no payments'),
  ];
}

@Resolver(() => Report)
export class Indicators766Resolver {
  @FieldResolver(() => [Indicator766], {
    nullable: true,
    description:
      "Decision 766/QĐ-TTg's indicators this report's own figures give (points are not given: the decision's scales were not " +
      'confirmed), and those the graph cannot compute, value null with the reason. Withheld with the totals.',
  })
  @Directive(REQUIRES_FIGURES)
  indicators766(@Root() r: CompletedReport): Indicator766[] {
    return indicators766(r);
  }
}
