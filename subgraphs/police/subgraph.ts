import { defineDepartment } from '../kit/department/department';
import { PoliceProcessing } from './entities/police-processing.entity';
import { migrations } from './migrations';

export default defineDepartment({
  name: 'police',
  entity: PoliceProcessing,
  typeName: 'PoliceProcessing',
  migrations,
  detail: (d) => ({ certificateColumns: d as never }),
});
