import { setRegisterReporter } from '../kit/calendar/calendar.store';
import { applyStatus } from './register';

/**
 * The register's own processing records (the one-stop system shares its database) move its dossiers' due dates,
 * each a CALENDAR_CHANGED step in the dossier's timeline; the department systems report theirs as STATUS.
 */
setRegisterReporter(async (m, changed, at, reason) => {
  for (const c of changed) {
    await applyStatus(m, c.dossierCode, 'intake', { event: 'CALENDAR_CHANGED', status: c.status, at, dueAt: c.dueAt, decision: c.decision, note: reason });
  }
});
