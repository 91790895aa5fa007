import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROJECT_ROOT } from '../../subgraphs/kit/paths';
import type { RequestHandler } from '../../subgraphs/kit/graphql-route';

/**
 * GraphiQL for developers at GET /graphql, outside production only: served from the project's own dev dependencies
 * (graphiql's UMD build on React 18), because a province's network need not reach a CDN. The page and its start
 * script are files of this origin, so the Content-Security-Policy allows no inline script.
 */
const ASSETS: Record<string, [string, string]> = {
  '/graphiql/react.js': ['node_modules/react/umd/react.production.min.js', 'text/javascript'],
  '/graphiql/react-dom.js': ['node_modules/react-dom/umd/react-dom.production.min.js', 'text/javascript'],
  '/graphiql/graphiql.js': ['node_modules/graphiql/graphiql.min.js', 'text/javascript'],
  '/graphiql/graphiql.css': ['node_modules/graphiql/graphiql.min.css', 'text/css'],
};

/**
 * Where a developer puts the token `npm start` prints. GraphiQL sends these headers with every request, so the hint
 * is a header the gateway ignores (client headers never reach a subgraph), not an Authorization it would refuse.
 */
export const HEADER_HINT = '{\n  "X-Hint": "rename to Authorization, value: Bearer <paste STAFF_TOKEN as npm start prints it>"\n}';

const START = `const fetcher = GraphiQL.createFetcher({ url: location.pathname });
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: 'headers', headers: ${JSON.stringify(HEADER_HINT)},
    shouldPersistHeaders: false, defaultQuery: '{\\n  departments { code name hasOwnSystem }\\n}\\n' }));
`;

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>motcua-graph · GraphiQL (development)</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/graphiql/graphiql.css"><style>body{margin:0}#graphiql{height:100vh}</style></head>
<body><div id="graphiql"></div>
<script src="/graphiql/react.js"></script><script src="/graphiql/react-dom.js"></script>
<script src="/graphiql/graphiql.js"></script><script src="/graphiql/start.js"></script></body></html>`;

const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function send(res: ServerResponse, type: string, body: string | Buffer): void {
  res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'content-security-policy': CSP, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

/** Whether GraphiQL can be served here: its files are installed (dev dependencies). */
export const graphiqlInstalled = () => Object.values(ASSETS).every(([file]) => existsSync(join(PROJECT_ROOT, file)));

/**
 * Wraps the gateway's handler: a browser's GET of /graphql (HTML, no query) gets the page, /graphiql/* its files;
 * everything else goes on as before.
 */
export function withGraphiQL(next: RequestHandler): RequestHandler {
  const files = new Map(Object.entries(ASSETS).map(([path, [file, type]]) => [path, { body: readFileSync(join(PROJECT_ROOT, file)), type }]));
  files.set('/graphiql/start.js', { body: Buffer.from(START), type: 'text/javascript' });
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (req.method === 'GET') {
      const file = files.get(url.pathname);
      if (file) return send(res, file.type, file.body);
      const page = url.pathname.replace(/\/$/, '').toLowerCase() === '/graphql' && !url.searchParams.has('query') && (req.headers.accept ?? '').includes('text/html');
      if (page) return send(res, 'text/html', PAGE);
    }
    next(req, res);
  };
}
