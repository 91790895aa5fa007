import { registerEnumType } from 'type-graphql';

export enum Channel {
  ONLINE = 'ONLINE',
  DIRECT = 'DIRECT',
  POSTAL = 'POSTAL',
}
registerEnumType(Channel, {
  name: 'Channel',
  description: 'How a dossier reached the centre.',
  valuesConfig: {
    ONLINE: { description: 'The online public-service portal (dịch vụ công trực tuyến).' },
    DIRECT: { description: "The centre's counters (trực tiếp)." },
    POSTAL: { description: 'The public postal service (bưu chính công ích).' },
  },
});

export enum ResultChannel {
  DIRECT = 'DIRECT',
  POSTAL = 'POSTAL',
}
registerEnumType(ResultChannel, { name: 'ResultChannel', description: 'How a result went back to the applicant.' });

export enum RatingLevel {
  VERY_SATISFIED = 'VERY_SATISFIED',
  SATISFIED = 'SATISFIED',
  DISSATISFIED = 'DISSATISFIED',
}
registerEnumType(RatingLevel, {
  name: 'RatingLevel',
  valuesConfig: {
    VERY_SATISFIED: { description: 'Rất hài lòng.' },
    SATISFIED: { description: 'Hài lòng.' },
    DISSATISFIED: { description: 'Không hài lòng: a reason is required.' },
  },
});
