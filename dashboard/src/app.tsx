import { useEffect, useState } from 'preact/hooks';
import type { UserManager } from 'oidc-client-ts';
import { DossierView } from './dossiers/dossier-view';
import { request } from './graphql';
import { messages, type Language } from './i18n';
import { DepartmentsQuery } from './operations';
import { ReportView } from './report/report-view';
import { completeSignIn, loadConfig, oidcClient, sessionOf, type DashboardConfig, type Session } from './session';
import { SignIn } from './sign-in';

type View = 'report' | 'dossiers';

/** Roles the report view is for; others land on the dossiers (or on the message of what they may see). */
const REPORT_ROLES = new Set(['CENTRE_STAFF', 'CENTRE_ADMIN', 'REPORT_BUILDER', 'DEPARTMENT_OFFICER']);

export function App() {
  const [language, setLanguage] = useState<Language>('vi');
  const [config, setConfig] = useState<DashboardConfig | null>(null);
  const [oidc, setOidc] = useState<UserManager | null>(null);
  // The token lives in this component's state only: never in a URL, localStorage or a cookie.
  const [session, setSession] = useState<Session | null>(null);
  const [signInError, setSignInError] = useState<string | null>(null);
  const [view, setView] = useState<View>('report');
  const [departments, setDepartments] = useState<{ code: string; name: string }[]>([]);
  const t = messages(language);

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = t.title;
  }, [language]);

  useEffect(() => {
    loadConfig().then((c) => {
      setConfig(c);
      if (!c.oidc) return;
      const manager = oidcClient(c.oidc);
      setOidc(manager);
      completeSignIn(manager)
        .then((token) => token && setSession(sessionOf(token)))
        .catch(() => setSignInError(t.badToken));
    });
  }, []);

  useEffect(() => {
    if (!session) return;
    setView(REPORT_ROLES.has(session.role ?? '') ? 'report' : 'dossiers');
    request(DepartmentsQuery, {}, session.token)
      .then((a) => {
        if (a.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
          setSession(null);
          setSignInError(t.badToken);
          return;
        }
        setDepartments(a.data?.departments ?? []);
      })
      .catch(() => setDepartments([]));
  }, [session?.token]);

  const departmentName = (code: string) => departments.find((d) => d.code === code)?.name ?? code;
  const toggle = <button type="button" class="language" lang={language === 'vi' ? 'en' : 'vi'} onClick={() => setLanguage(language === 'vi' ? 'en' : 'vi')}>{t.language}</button>;

  if (!session) {
    return (
      <>
        <header class="top"><span class="brand">{t.title}</span>{toggle}</header>
        <main>
          {config && (
            <SignIn
              t={t}
              config={config}
              error={signInError}
              onProvider={oidc ? () => void oidc.signinRedirect() : null}
              onToken={(token) => (setSignInError(null), setSession(sessionOf(token)))}
            />
          )}
        </main>
      </>
    );
  }
  return (
    <>
      <header class="top">
        <span class="brand">{t.title}</span>
        <nav aria-label={t.title}>
          <button type="button" aria-current={view === 'report' ? 'page' : undefined} onClick={() => setView('report')}>{t.navReport}</button>
          <button type="button" aria-current={view === 'dossiers' ? 'page' : undefined} onClick={() => setView('dossiers')}>{t.navDossiers}</button>
        </nav>
        <span class="who">{t.signedInAs} {session.role ?? '—'}{session.department ? ` · ${departmentName(session.department)}` : ''}</span>
        {toggle}
        <button type="button" onClick={() => (setSession(null), oidc?.removeUser())}>{t.signOut}</button>
      </header>
      <main>
        {view === 'report'
          ? <ReportView session={session} t={t} language={language} departments={departments} />
          : <DossierView session={session} t={t} language={language} departmentName={departmentName} />}
      </main>
    </>
  );
}
