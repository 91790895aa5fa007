import { defineDepartment } from '../kit/department/department';
import { TransportProcessing } from './entities/transport-processing.entity';
import { migrations } from './migrations';

export default defineDepartment({
  name: 'transport',
  entity: TransportProcessing,
  typeName: 'TransportProcessing',
  migrations,
  detail: (d) => ({ licenceColumns: d as never }),
});
