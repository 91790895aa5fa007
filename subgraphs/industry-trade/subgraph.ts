import { defineDepartment } from '../kit/department/department';
import { IndustryTradeProcessing } from './entities/industry-trade-processing.entity';
import { migrations } from './migrations';

export default defineDepartment({
  name: 'industry-trade',
  entity: IndustryTradeProcessing,
  typeName: 'IndustryTradeProcessing',
  migrations,
  detail: (d) => ({ licenceColumns: d as never }),
});
