import { registerEnumType } from 'type-graphql';
import type { RegisterFigures } from './report.data';
import type { Reconciliation, Report } from './report.types';

export enum NarrativeLanguage {
  VI = 'VI',
  EN = 'EN',
}
registerEnumType(NarrativeLanguage, { name: 'NarrativeLanguage' });

const vi = {
  n: (x: number) => (x < 10 && x > 0 ? String(x).padStart(2, '0') : x.toLocaleString('de-DE')),
  pct: (x: number | null) => (x === null ? '–' : `${x.toFixed(2).replace('.', ',')}%`),
};
const en = {
  n: (x: number) => x.toLocaleString('en-GB'),
  pct: (x: number | null) => (x === null ? '–' : `${x.toFixed(2)}%`),
};

const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function wholeMonth(from: string, to: string): { year: number; month: number } | null {
  const [y, m, d] = from.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d === 1 && to === `${from.slice(0, 8)}${String(last).padStart(2, '0')}` ? { year: y, month: m } : null;
}

const dmy = (date: string) => date.split('-').reverse().join('/');

/** The paragraph the centre publishes, written from the figures (compare the April 2020 report). */
export function narrative(r: Report, register: RegisterFigures, reconciliation: Reconciliation, language: NarrativeLanguage): string {
  const rc = register.received;
  const res = r.resolved;
  const month = wholeMonth(r.from, r.to);
  const busiest = register.departments.filter((d) => d.received.total > 0).slice(0, 3);
  const handled = r.carriedOver + rc.total;
  const ratings = register.ratings;
  const scope = r.departmentCode ? register.departments[0]?.department.name : null;
  if (language === NarrativeLanguage.VI) {
    const { n, pct } = vi;
    const when = month ? `Trong tháng ${month.month} năm ${month.year}` : `Từ ngày ${dmy(r.from)} đến ngày ${dmy(r.to)}`;
    const who = `Trung tâm Phục vụ hành chính công tỉnh${scope ? ` (hồ sơ của ${scope})` : ''}`;
    const parts = [
      `${when}, ${who} giải quyết ${n(res.total)} hồ sơ. Trong đó, số hồ sơ giải quyết đúng và trước hạn là ${n(res.early + res.onTime)} hồ sơ (đạt tỷ lệ ${pct(r.rates.earlyOrOnTime)}).`,
      `Tổng số hồ sơ tiếp nhận là ${n(handled)} hồ sơ, trong đó kỳ trước chuyển sang là ${n(r.carriedOver)} hồ sơ, tiếp nhận mới là ${n(rc.total)}, tiếp nhận trực tuyến ${n(rc.online)} hồ sơ (chiếm tỷ lệ ${pct(r.rates.online)}), tiếp nhận trực tiếp ${n(rc.direct)} hồ sơ (chiếm ${pct(r.rates.direct)}), tiếp nhận qua dịch vụ bưu chính công ích ${n(rc.postal)} hồ sơ (chiếm tỷ lệ ${pct(r.rates.postal)});`,
      `thực hiện trả kết quả ${n(res.total)} hồ sơ, trong đó có ${n(res.early)} hồ sơ trước hạn (chiếm tỷ lệ ${pct(r.rates.early)}), ${n(res.onTime)} hồ sơ đúng hạn (chiếm tỷ lệ ${pct(r.rates.onTime)}), ${n(res.late)} hồ sơ trả quá hạn (chiếm tỷ lệ ${pct(r.rates.late)});`,
      `trả kết quả qua dịch vụ bưu chính công ích ${n(register.returnedByPost)} hồ sơ (chiếm tỷ lệ ${pct(r.rates.returnedByPost)});`,
      r.withdrawn ? `${n(r.withdrawn)} hồ sơ do công dân rút (không tính vào số hồ sơ đã giải quyết);` : '',
      `còn ${n(r.inProcess.total)} hồ sơ đang giải quyết, trong đó có ${n(r.inProcess.overdue)} hồ sơ quá thời hạn giải quyết.`,
      !scope && busiest.length
        ? `Hồ sơ có tần suất thực hiện nhiều tập trung ở một số sở, ngành như: ${busiest.map((d) => `${d.department.name} ${n(d.received.total)} hồ sơ`).join(', ')}.`
        : '',
      // The ratings are of the centre's staff as a whole: a department's paragraph must not pass them off as its own.
      !scope && ratings.total
        ? `Trong kỳ có ${n(ratings.total)} lượt người dân, tổ chức đánh giá công chức, viên chức làm việc tại Trung tâm, trong đó đánh giá Rất hài lòng: ${n(ratings.verySatisfied)} lượt (chiếm ${pct(r.rates.verySatisfied)}), Hài lòng: ${n(ratings.satisfied)} lượt (chiếm ${pct(r.rates.satisfied)})${ratings.dissatisfied ? `, Không hài lòng: ${n(ratings.dissatisfied)} lượt (chiếm ${pct(r.rates.dissatisfied)})` : ''}.`
        : '',
      r.balanced ? '' : 'Lưu ý: số liệu chưa cân đối (kỳ trước chuyển sang + tiếp nhận mới ≠ đã giải quyết + rút + đang giải quyết).',
      reconciliation.consistent ? '' : `Lưu ý: số liệu giữa các hệ thống chưa khớp: ${reconciliation.problems.join('; ')}.`,
    ];
    return parts.filter(Boolean).join(' ');
  }
  const { n, pct } = en;
  const when = month ? `In ${MONTHS_EN[month.month - 1]} ${month.year}` : `From ${dmy(r.from)} to ${dmy(r.to)}`;
  const who = `the Provincial Public Administration Service Centre${scope ? ` (dossiers of ${scope})` : ''}`;
  const parts = [
    `${when}, ${who} resolved ${n(res.total)} dossiers, ${n(res.early + res.onTime)} of them early or on time (${pct(r.rates.earlyOrOnTime)}).`,
    `It handled ${n(handled)} dossiers: ${n(r.carriedOver)} carried over and ${n(rc.total)} new, of which ${n(rc.online)} online (${pct(r.rates.online)}), ${n(rc.direct)} at the counter (${pct(r.rates.direct)}) and ${n(rc.postal)} by post (${pct(r.rates.postal)}).`,
    `Of the resolved, ${n(res.early)} were early (${pct(r.rates.early)}), ${n(res.onTime)} on time (${pct(r.rates.onTime)}) and ${n(res.late)} late (${pct(r.rates.late)}); ${n(register.returnedByPost)} results went back by post (${pct(r.rates.returnedByPost)}).`,
    r.withdrawn ? `${n(r.withdrawn)} dossiers were withdrawn by their applicants (not counted as resolved).` : '',
    `${n(r.inProcess.total)} dossiers remain in process, ${n(r.inProcess.overdue)} of them overdue.`,
    !scope && busiest.length ? `The busiest departments were ${busiest.map((d) => `${d.department.name} (${n(d.received.total)})`).join(', ')}.` : '',
    !scope && ratings.total
      ? `${n(ratings.total)} citizens and organisations rated the centre's staff: ${n(ratings.verySatisfied)} very satisfied (${pct(r.rates.verySatisfied)}), ${n(ratings.satisfied)} satisfied (${pct(r.rates.satisfied)})${ratings.dissatisfied ? `, ${n(ratings.dissatisfied)} dissatisfied (${pct(r.rates.dissatisfied)})` : ''}.`
      : '',
    r.balanced ? '' : 'Note: the figures do not balance (carried over + new ≠ resolved + withdrawn + in process).',
    reconciliation.consistent ? '' : `Note: the systems disagree: ${reconciliation.problems.join('; ')}.`,
  ];
  return parts.filter(Boolean).join(' ');
}
