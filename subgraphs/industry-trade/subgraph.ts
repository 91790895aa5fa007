import { defineDepartment } from '../kit/department/department';
import { IndustryTradeProcessing } from './entities/industry-trade-processing.entity';
import { TradeLicenceKind } from './entities/trade-licence.entity';
import { migrations } from './migrations';

export default defineDepartment({
  name: 'industry-trade',
  entity: IndustryTradeProcessing,
  typeName: 'IndustryTradeProcessing',
  migrations,
  detailKinds: Object.values(TradeLicenceKind),
  detail: (d) => ({ licenceColumns: d as never }),
});
