import { useEffect, useState } from 'preact/hooks';
import type { DashboardDossierQuery, DashboardDossierSearchQuery } from '../gql/graphql';
import { request, RequestFailed, type GraphError } from '../graphql';
import { formatDateTime, formatNumber, type Language, type Messages } from '../i18n';
import { DossierQuery, DossierSearchQuery } from '../operations';
import { Problems } from '../errors';
import type { Session } from '../session';

type Found = DashboardDossierSearchQuery['dossiers'];
type Dossier = NonNullable<DashboardDossierQuery['dossier']>;

/** Roles that see personal data masked (the graph masks it; the page says so). */
const MASKED_ROLES = new Set(['REPORT_BUILDER', 'SERVICE']);

const failure = (e: unknown): GraphError[] => [e instanceof RequestFailed ? e.error : { message: String(e) }];

function Record(props: { dossier: Dossier; t: Messages; language: Language; masked: boolean }) {
  const { dossier: d, t, language } = props;
  const when = (v: string | null | undefined) => formatDateTime(language, v);
  const hours = (v: number | null | undefined) => (v === null || v === undefined ? '—' : new Intl.NumberFormat(language === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 }).format(v));
  return (
    <article class="dossier" aria-labelledby="dossier-code">
      <h2 id="dossier-code">{d.code}</h2>
      {props.masked && <p class="note">{t.masked}</p>}
      <dl class="record">
        <div><dt>{t.procedure}</dt><dd>{d.procedure.code} · {d.procedure.name}</dd></div>
        <div><dt>{t.department}</dt><dd>{d.department.name}</dd></div>
        <div><dt>{t.channel}</dt><dd>{d.channel}</dd></div>
        <div><dt>{t.receivedAt}</dt><dd>{when(d.receivedAt)}</dd></div>
        <div><dt>{t.dueAt}</dt><dd>{when(d.dueAt)}</dd></div>
        <div><dt>{t.applicant}</dt><dd data-field="fullName">{d.applicant.fullName}</dd></div>
        <div><dt>{t.idNumber}</dt><dd data-field="idNumber">{d.applicant.idNumber}</dd></div>
        <div><dt>{t.phone}</dt><dd data-field="phone">{d.applicant.phone ?? '—'}</dd></div>
        <div><dt>{t.address}</dt><dd data-field="address">{d.applicant.address ?? '—'}</dd></div>
        <div><dt>{t.status}</dt><dd>{d.processing?.status ?? '—'}</dd></div>
        <div><dt>{t.officer}</dt><dd>{d.processing?.officer ?? '—'}</dd></div>
        <div><dt>{t.decision}</dt><dd>{d.processing?.decision ?? '—'} {d.processing?.decidedAt ? `(${when(d.processing.decidedAt)})` : ''}</dd></div>
      </dl>
      <section aria-labelledby="deadline">
        <h3 id="deadline">{t.deadline}</h3>
        <dl class="record">
          <div><dt>{t.dueAt}</dt><dd>{when(d.deadline.dueAt)}</dd></div>
          <div><dt>{t.hoursLeft}</dt><dd>{hours(d.deadline.workingHoursLeft)}</dd></div>
          <div><dt>{t.hoursOverdue}</dt><dd>{hours(d.deadline.overdueByWorkingHours)}</dd></div>
          {d.deadline.paused && <div><dt>{t.paused}</dt><dd>{hours(d.deadline.pausedWorkingHours)}</dd></div>}
          {d.deadline.finished && <div><dt>{t.finished}</dt><dd>✓</dd></div>}
        </dl>
      </section>
      <section aria-labelledby="timeline">
        <h3 id="timeline">{t.timeline}</h3>
        <ol class="timeline">
          {d.timeline.map((e, i) => (
            <li key={i}><time dateTime={e.at}>{when(e.at)}</time> <span class="system">{e.system}</span> {e.type}{e.detail ? ` — ${e.detail}` : ''}</li>
          ))}
        </ol>
      </section>
      {!!d.shipments.length && (
        <section aria-labelledby="shipments">
          <h3 id="shipments">{t.shipments}</h3>
          <ul>{d.shipments.map((s) => <li key={s.trackingNumber}>{s.trackingNumber} · {s.direction} · {s.status} · {when(s.postedAt)}</li>)}</ul>
        </section>
      )}
      {d.rating && <p><strong>{t.rating}:</strong> {d.rating.level}{d.rating.reason ? ` — ${d.rating.reason}` : ''}</p>}
    </article>
  );
}

export function DossierView(props: { session: Session; t: Messages; language: Language; departmentName: (code: string) => string }) {
  const { session, t, language } = props;
  const [text, setText] = useState('');
  const [found, setFound] = useState<Found | null>(null);
  const [code, setCode] = useState<string | null>(null);
  const [dossier, setDossier] = useState<Dossier | null>(null);
  const [errors, setErrors] = useState<GraphError[]>([]);

  const search = (value: string) =>
    request(DossierSearchQuery, { search: value.trim() || null, departmentCode: null, first: 50 }, session.token)
      .then((a) => (setFound(a.data?.dossiers ?? null), setErrors(a.errors)))
      .catch((e: unknown) => setErrors(failure(e)));

  useEffect(() => {
    void search('');
  }, [session.token]);

  useEffect(() => {
    if (!code) return setDossier(null);
    request(DossierQuery, { code }, session.token)
      .then((a) => (setDossier(a.data?.dossier ?? null), setErrors(a.errors)))
      .catch((e: unknown) => setErrors(failure(e)));
  }, [code, session.token]);

  const masked = MASKED_ROLES.has(session.role ?? '');
  return (
    <section class="dossiers" aria-labelledby="dossiers-title">
      <h1 id="dossiers-title">{t.navDossiers}</h1>
      <form class="filters" role="search" onSubmit={(e) => (e.preventDefault(), setCode(null), void search(text))}>
        <label>{t.search}<input type="search" name="search" placeholder={t.searchHint} value={text} onInput={(e) => setText(e.currentTarget.value)} /></label>
        <button type="submit">{t.search}</button>
      </form>
      <Problems t={t} errors={errors} role={session.role} departmentName={props.departmentName} />
      {code && dossier ? (
        <>
          <button type="button" class="link" onClick={() => setCode(null)}>← {t.back}</button>
          <Record dossier={dossier} t={t} language={language} masked={masked} />
        </>
      ) : found && (
        <>
          <p aria-live="polite">{formatNumber(language, found.totalCount)} {t.found}</p>
          {found.edges.length ? (
            <div class="table-wrap">
              <table class="dossier-list">
                <thead><tr><th scope="col">{t.code}</th><th scope="col">{t.applicant}</th><th scope="col">{t.procedure}</th><th scope="col">{t.department}</th><th scope="col">{t.receivedAt}</th><th scope="col">{t.status}</th></tr></thead>
                <tbody>
                  {found.edges.map(({ node }) => (
                    <tr key={node.code}>
                      <td><button type="button" class="link" onClick={() => setCode(node.code)}>{node.code}</button></td>
                      <td>{node.applicant.fullName}</td><td>{node.procedure.name}</td><td>{node.department.code}</td>
                      <td>{formatDateTime(language, node.receivedAt)}</td><td>{node.processing?.status ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : <p>{t.nothingFound}</p>}
        </>
      )}
    </section>
  );
}
