import { defineDepartment } from '../kit/department/department';
import { TransportProcessing } from './entities/transport-processing.entity';
import { TransportLicenceKind } from './entities/transport-licence.entity';
import { migrations } from './migrations';

export default defineDepartment({
  name: 'transport',
  entity: TransportProcessing,
  typeName: 'TransportProcessing',
  migrations,
  detailKinds: Object.values(TransportLicenceKind),
  detail: (d) => ({ licenceColumns: d as never }),
});
