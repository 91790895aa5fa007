import { useEffect, useMemo, useState } from 'preact/hooks';
import type { DashboardReportLiveQuery, DashboardReportQuery, DashboardReportSeriesQuery, ReportInterval } from '../gql/graphql';
import { download, request, RequestFailed, type GraphError } from '../graphql';
import { formatDate, formatNumber, formatPercent, type Language, type Messages } from '../i18n';
import { ReportLiveQuery, ReportQuery, ReportSeriesQuery } from '../operations';
import { Problems } from '../errors';
import type { Session } from '../session';
import { Chart } from './chart';
import { channelsOption, departmentsOption, onTimeOption, seriesOption } from './report.charts';

type Report = DashboardReportQuery['report'];
type Figures = Pick<Report['byDepartment'][number], 'carriedOver' | 'withdrawn' | 'received' | 'resolved' | 'inProcess'>;

/** The month before today's, the period a report builder most often asks for. */
function lastMonth(): { from: string; to: string } {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  return { from: first.toISOString().slice(0, 10), to: last.toISOString().slice(0, 10) };
}

/** Days for a month or two, weeks up to a year, months beyond (the series allows 370 intervals). */
function intervalFor(from: string, to: string): ReportInterval {
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
  return days <= 62 ? 'DAY' : days <= 400 ? 'WEEK' : 'MONTH';
}

function FigureCells(props: { f: Figures; language: Language }) {
  const n = (v: number | null | undefined) => formatNumber(props.language, v);
  const { f } = props;
  const whole = f.carriedOver === null || f.carriedOver === undefined || !f.received ? null : f.carriedOver + f.received.total;
  return (
    <>
      <td>{n(whole)}</td><td>{n(f.carriedOver)}</td><td>{n(f.received?.total)}</td><td>{n(f.received?.online)}</td>
      <td>{n(f.received?.direct)}</td><td>{n(f.received?.postal)}</td><td>{n(f.resolved?.total)}</td><td>{n(f.resolved?.early)}</td>
      <td>{n(f.resolved?.onTime)}</td><td>{n(f.resolved?.late)}</td><td>{n(f.withdrawn)}</td><td>{n(f.inProcess?.total)}</td>
      <td>{n(f.inProcess ? f.inProcess.total - f.inProcess.overdue : null)}</td><td>{n(f.inProcess?.overdue)}</td>
    </>
  );
}

/** The totals in the layout of form II.06a, with the channel and post-return columns the centre publishes. */
function FormTable(props: { report: Report; t: Messages; language: Language }) {
  const { report, t, language } = props;
  return (
    <div class="table-wrap">
      <table class="form-ii06a" aria-label={t.formTitle} data-period={`${report.from}/${report.to}`}>
        <thead>
          <tr>
            <th rowSpan={3} scope="col">{t.no}</th><th rowSpan={3} scope="col">{t.unitCode}</th><th rowSpan={3} scope="col">{t.unit}</th>
            <th colSpan={6} scope="colgroup">{t.handled}</th><th colSpan={4} scope="colgroup">{t.resolved}</th>
            <th rowSpan={3} scope="col">{t.withdrawn}</th><th colSpan={3} scope="colgroup">{t.inProcess}</th><th rowSpan={3} scope="col">{t.byPost}</th>
          </tr>
          <tr>
            <th rowSpan={2} scope="col">{t.total}</th><th rowSpan={2} scope="col">{t.carriedOver}</th><th colSpan={4} scope="colgroup">{t.received}</th>
            <th rowSpan={2} scope="col">{t.subtotal}</th><th rowSpan={2} scope="col">{t.early}</th><th rowSpan={2} scope="col">{t.onTime}</th><th rowSpan={2} scope="col">{t.late}</th>
            <th rowSpan={2} scope="col">{t.subtotal}</th><th rowSpan={2} scope="col">{t.inTime}</th><th rowSpan={2} scope="col">{t.overdue}</th>
          </tr>
          <tr>
            <th scope="col">{t.subtotal}</th><th scope="col">{t.online}</th><th scope="col">{t.direct}</th><th scope="col">{t.postal}</th>
          </tr>
        </thead>
        <tbody>
          {report.byDepartment.map((d, i) => (
            <tr key={d.department.code} data-department={d.department.code}>
              <td>{i + 1}</td><td>{d.department.code}</td><th scope="row">{d.department.name}</th>
              <FigureCells f={d} language={language} /><td />
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-department="">
            <td /><td /><th scope="row">{t.sum}</th>
            <FigureCells f={report as Figures} language={language} /><td>{formatNumber(language, report.returnedByPost)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function Rates(props: { report: Report; t: Messages; language: Language }) {
  const { report, t, language } = props;
  const r = report.rates;
  const satisfied = r && r.verySatisfied !== null && r.verySatisfied !== undefined && r.satisfied !== null && r.satisfied !== undefined ? Math.round((r.verySatisfied + r.satisfied) * 100) / 100 : null;
  const rows: [string, number | null | undefined][] = [
    [t.rateOnline, r?.online], [t.rateDirect, r?.direct], [t.ratePostal, r?.postal], [t.rateEarlyOrOnTime, r?.earlyOrOnTime],
    [t.rateLate, r?.late], [t.rateByPost, r?.returnedByPost], [t.rateSatisfied, satisfied],
  ];
  return (
    <section aria-labelledby="rates">
      <h2 id="rates">{t.rates}</h2>
      <dl class="rates">
        {rows.map(([label, value]) => (
          <div key={label}><dt>{label}</dt><dd>{formatPercent(language, value)}</dd></div>
        ))}
        <div><dt>{t.ratings}</dt><dd>{formatNumber(language, report.ratings.total)}</dd></div>
      </dl>
    </section>
  );
}

export function ReportView(props: { session: Session; t: Messages; language: Language; departments: { code: string; name: string }[] }) {
  const { session, t, language, departments } = props;
  const officer = session.role === 'DEPARTMENT_OFFICER';
  const initial = useMemo(lastMonth, []);
  const [form, setForm] = useState({ from: initial.from, to: initial.to, department: officer ? (session.department ?? '') : '' });
  const [asked, setAsked] = useState(form);
  const [report, setReport] = useState<Report | null>(null);
  const [live, setLive] = useState<DashboardReportLiveQuery['report'] | null>(null);
  const [series, setSeries] = useState<DashboardReportSeriesQuery['reportSeries'] | null>(null);
  const [errors, setErrors] = useState<GraphError[]>([]);
  const [loading, setLoading] = useState(false);
  const departmentName = (code: string) => departments.find((d) => d.code === code)?.name ?? code;

  useEffect(() => {
    let current = true;
    setLoading(true);
    const variables = { from: asked.from, to: asked.to, departmentCode: asked.department || null };
    Promise.all([
      request(ReportQuery, variables, session.token),
      request(ReportLiveQuery, { ...variables, language: language === 'vi' ? 'VI' : 'EN' }, session.token),
      request(ReportSeriesQuery, { ...variables, every: intervalFor(asked.from, asked.to) }, session.token),
    ])
      .then(([r, l, s]) => {
        if (!current) return;
        setReport(r.data?.report ?? null);
        setLive(l.data?.report ?? null);
        setSeries(s.data?.reportSeries ?? null);
        // The same refusal (a department not the officer's) comes from both report queries: said once.
        setErrors([...new Map([...r.errors, ...l.errors, ...s.errors].map((e) => [JSON.stringify(e), e])).values()]);
      })
      .catch((e: unknown) => current && (setReport(null), setLive(null), setErrors([e instanceof RequestFailed ? e.error : { message: String(e) }])))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [asked, language, session.token]);

  const exportPath = (format: 'csv' | 'xlsx') => {
    const q = new URLSearchParams({ from: asked.from, to: asked.to });
    if (asked.department) q.set('departmentCode', asked.department);
    return `/reports/monthly.${format}?${q}`;
  };
  const fetchExport = (format: 'csv' | 'xlsx') =>
    download(exportPath(format), session.token).catch((e: unknown) => setErrors([e instanceof RequestFailed ? e.error : { message: String(e) }]));

  return (
    <section class="report" aria-labelledby="report-title">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setAsked({ ...form });
        }}
      >
        <label>{t.from}<input type="date" name="from" required value={form.from} onInput={(e) => setForm({ ...form, from: e.currentTarget.value })} /></label>
        <label>{t.to}<input type="date" name="to" required value={form.to} onInput={(e) => setForm({ ...form, to: e.currentTarget.value })} /></label>
        <label>
          {t.department}
          <select name="department" value={form.department} disabled={officer} onChange={(e) => setForm({ ...form, department: e.currentTarget.value })}>
            {!officer && <option value="">{t.allDepartments}</option>}
            {departments.filter((d) => !officer || d.code === session.department).map((d) => <option key={d.code} value={d.code}>{d.name}</option>)}
          </select>
        </label>
        <button type="submit">{t.apply}</button>
      </form>
      <h1 id="report-title">
        {t.formTitle}: {formatDate(language, asked.from)} – {formatDate(language, asked.to)}
        {asked.department ? ` · ${departmentName(asked.department)}` : ''}
      </h1>
      {loading && <p class="loading" aria-live="polite">{t.loading}</p>}
      <Problems t={t} errors={errors} role={session.role} departmentName={departmentName} />
      {report && (
        <>
          <p class="edition">{report.published ? t.published : t.live}</p>
          <div class="downloads" role="group" aria-label={t.downloads}>
            <span>{t.downloads}:</span>
            <button type="button" onClick={() => fetchExport('csv')}>CSV</button>
            <button type="button" onClick={() => fetchExport('xlsx')}>XLSX</button>
          </div>
          <FormTable report={report} t={t} language={language} />
          <Rates report={report} t={t} language={language} />
          <div class="charts">
            {series && <Chart name="series" label={t.chartSeries} option={seriesOption(series, t, language)} />}
            {report.received && <Chart name="channels" label={t.chartChannels} option={channelsOption(report, t, language)} />}
            <Chart name="departments" label={t.chartDepartments} option={departmentsOption(report, t, language)} />
            <Chart name="on-time" label={t.chartOnTime} option={onTimeOption(report, t, language)} />
          </div>
          {live && (
            <section aria-labelledby="reconciliation">
              <h2 id="reconciliation">{t.reconciliation}</h2>
              {live.reconciliation.consistent ? <p>{t.consistent}</p> : (
                <ul class="reconciliation">{live.reconciliation.problems.map((p) => <li key={p}>{p}</li>)}</ul>
              )}
            </section>
          )}
          {live?.narrative && (
            <section aria-labelledby="narrative">
              <h2 id="narrative">{t.narrative}</h2>
              <p class="narrative">{live.narrative}</p>
            </section>
          )}
          {!!report.revisions?.length && (
            <section aria-labelledby="revisions">
              <h2 id="revisions">{t.revisions}</h2>
              <ul>
                {report.revisions.map((r) => (
                  <li key={`${r.system}-${r.at}`}>
                    {r.month} · {r.departmentCode} · {r.reason}: {r.changes.map((c) => `${c.figure} ${formatNumber(language, c.published)} → ${formatNumber(language, c.revised)}`).join('; ')}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </section>
  );
}
