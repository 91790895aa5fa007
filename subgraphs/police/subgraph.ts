import { defineDepartment } from '../kit/department/department';
import { PoliceProcessing } from './entities/police-processing.entity';
import { PoliceCertificateKind } from './entities/police-certificate.entity';
import { migrations } from './migrations';

export default defineDepartment({
  name: 'police',
  entity: PoliceProcessing,
  typeName: 'PoliceProcessing',
  migrations,
  detailKinds: Object.values(PoliceCertificateKind),
  detail: (d) => ({ certificateColumns: d as never }),
});
