import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SCHEMA_DIR } from '../../subgraphs/kit/paths';
import type { SchemaChange } from './schema-diff';

/** A breaking change made on purpose, committed with its reason: `schema/changes.json`. */
export interface AcceptedChange {
  subgraph: string;
  path: string;
  reason: string;
}

export const CHANGES_FILE = join(SCHEMA_DIR, 'changes.json');

/** The accepted changes, and what is wrong with the file's entries (each one named). */
export async function acceptedChanges(file = CHANGES_FILE): Promise<{ accepted: AcceptedChange[]; problems: string[] }> {
  const text = await readFile(file, 'utf8').catch(() => '[]');
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch (e) {
    return { accepted: [], problems: [`schema/changes.json is not JSON: ${(e as Error).message}`] };
  }
  if (!Array.isArray(entries)) return { accepted: [], problems: ['schema/changes.json must be a list of { subgraph, path, reason }'] };
  const accepted: AcceptedChange[] = [];
  const problems: string[] = [];
  entries.forEach((e, i) => {
    const ok = e && typeof e.subgraph === 'string' && typeof e.path === 'string' && typeof e.reason === 'string' && e.reason.trim().length >= 10;
    if (ok) accepted.push(e);
    else problems.push(`schema/changes.json[${i}]: needs subgraph, path and a reason of 10 characters or more`);
  });
  return { accepted, problems };
}

export const isAccepted = (c: SchemaChange, accepted: AcceptedChange[]) => accepted.some((a) => a.subgraph === c.subgraph && a.path === c.path);
