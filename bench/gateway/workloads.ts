import { EXAMPLE_DOSSIER } from '../../demo/callers';
import { DEPARTMENT_SYSTEMS, ONE_STOP_PROCESSING } from '../../subgraphs/registry';

export interface Workload {
  key: string;
  title: string;
  /** The request body, as the load client sends it. */
  body: string;
  /** What the answer holds, for the log and the README; throws when it does not reach every system it should. */
  describe(data: any): string;
}

/**
 * The newest 20 dossiers, with what each of the five systems holds of them: the register's record, applicant and
 * rating (intake), the processing record and its history from the system that processes it (transport, police,
 * industry-trade, or intake's one-stop), and the postal items both ways (postal).
 */
const PAGE = `query Page {
  dossiers(first: 20) { edges { node {
    code channel receivedAt dueAt returnedAt returnChannel
    department { code name } procedure { code name workingDays } applicant { fullName idNumber }
    processing { __typename status officer decision decidedAt history { status at officer note } }
    shipments { trackingNumber direction status postedAt deliveredAt events { status at location } }
    rating { level reason officer ratedAt }
  } } }
}`;

/** One dossier, the README's example (processed by transport), with everything that happened to it in every system. */
const DOSSIER = `query Dossier($code: String!) {
  dossier(code: $code) {
    code channel receivedAt dueAt returnedAt department { name } procedure { name } applicant { fullName }
    processing { __typename status decidedAt }
    timeline { at system type detail }
  }
}`;

export const WORKLOADS: readonly Workload[] = [
  {
    key: 'page',
    title: 'A page of 20 dossiers (processing and its history, shipments, rating)',
    body: JSON.stringify({ query: PAGE }),
    describe(data) {
      const nodes = data.dossiers.edges.map((e: any) => e.node);
      const systems = new Map<string, number>();
      for (const n of nodes) systems.set(n.processing?.__typename ?? 'none', (systems.get(n.processing?.__typename ?? 'none') ?? 0) + 1);
      const missing = [ONE_STOP_PROCESSING, ...DEPARTMENT_SYSTEMS.map((s) => s.processingType!)].filter((t) => !systems.has(t));
      if (missing.length) throw new Error(`the page does not reach every processing system: no ${missing.join(', ')}`);
      const shipments = nodes.reduce((n: number, d: any) => n + d.shipments.length, 0);
      const ratings = nodes.filter((d: any) => d.rating).length;
      return `${nodes.length} dossiers (${[...systems].map(([t, n]) => `${n} ${t}`).join(', ')}), ${shipments} shipments, ${ratings} ratings`;
    },
  },
  {
    key: 'dossier',
    title: `One dossier with its timeline (${EXAMPLE_DOSSIER})`,
    body: JSON.stringify({ query: DOSSIER, variables: { code: EXAMPLE_DOSSIER } }),
    describe(data) {
      if (!data.dossier) throw new Error(`the demo has no dossier ${EXAMPLE_DOSSIER}`);
      return `${data.dossier.code}: ${data.dossier.processing?.__typename}, ${data.dossier.timeline.length} timeline events`;
    },
  },
];
