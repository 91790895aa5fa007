import { registerEnumType } from 'type-graphql';

/** domain.md's status table, by the national public-service portal's codes. */
export enum ProcessingStatus {
  RECEIVING = 'RECEIVING',
  NEW = 'NEW',
  DENIED = 'DENIED',
  PROCESSING = 'PROCESSING',
  WAITING = 'WAITING',
  PAYING = 'PAYING',
  CANCELLED = 'CANCELLED',
  UNRESOLVED = 'UNRESOLVED',
  RELEASING = 'RELEASING',
  DONE = 'DONE',
}

registerEnumType(ProcessingStatus, {
  name: 'ProcessingStatus',
  description: 'Dossier status, as the national public-service portal codes it.',
  valuesConfig: {
    RECEIVING: { description: 'Mới đăng ký: submitted online, not yet accepted.' },
    NEW: { description: 'Được tiếp nhận: accepted by the centre.' },
    DENIED: { description: 'Không được tiếp nhận: refused at intake.' },
    PROCESSING: { description: 'Đang xử lý: being processed by the department.' },
    WAITING: { description: 'Yêu cầu bổ sung giấy tờ: supplements requested; the deadline clock is paused.' },
    PAYING: { description: 'Yêu cầu thực hiện nghĩa vụ tài chính: fees due.' },
    CANCELLED: { description: 'Công dân yêu cầu rút hồ sơ: withdrawn by the applicant.' },
    UNRESOLVED: { description: 'Dừng xử lý: processing stopped.' },
    RELEASING: { description: 'Đã xử lý xong: decided, result not yet returned.' },
    DONE: { description: 'Đã trả kết quả: result returned.' },
  },
});

export enum Decision {
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
}

registerEnumType(Decision, { name: 'Decision', description: 'The outcome of a decided dossier.' });
