import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '../../subgraphs/kit/logger';

export interface SupergraphSourceOptions {
  /** A fixed supergraph (tests): served as is, never reloaded. */
  sdl?: string;
  /** Watched for changes (default: the committed schema/supergraph.graphql). */
  file?: string;
  /** Polled every `pollMs` instead of the file, when set. */
  url?: string;
  pollMs: number;
  log: Logger;
  /** Each reload attempt's outcome, for the metrics. */
  onReload?(outcome: 'loaded' | 'refused'): void;
}

/** Where the gateway's supergraph comes from, and how a new one replaces it. */
export function supergraphSource(o: SupergraphSourceOptions): string | SupergraphSdlHook {
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  return o.sdl ?? readFileSync(o.file!, 'utf8');
}
