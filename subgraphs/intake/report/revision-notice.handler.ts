import { RejectedMessage, type Handler } from '../../kit/messaging/handover';
import { MONTH } from '../../kit/periods/period.store';

/** A department system recorded a revision of a closed month: the register keeps its notice, once. */
export const noteRevision: Handler = async (m, message) => {
  const { month, departmentCode, batch } = message.payload;
  if (typeof month !== 'string' || !MONTH.test(month) || typeof departmentCode !== 'string' || typeof batch !== 'string' || !/^[0-9a-f]{64}$/.test(batch)) {
    throw new RejectedMessage('not a revision notice');
  }
  await m.query(
    `INSERT INTO period_revision_notice (system, month, department_code, batch) VALUES ($1, $2::date, $3, $4) ON CONFLICT DO NOTHING`,
    [message.source, `${month}-01`, departmentCode.slice(0, 16), batch],
  );
};
