/**
 * The browser origins allowed to call the gateway (CORS_ORIGINS): exact origins, `scheme://host[:port]`, where the
 * port may be `*` for any port (development servers pick their own). No bare `*`: an allow-list names its origins.
 * Throws on an entry that is not an origin, naming it.
 */
export function corsOrigins(entries: readonly string[]): (origin: string) => boolean {
  const exact = new Set<string>();
  const anyPort: string[] = [];
  for (const entry of entries) {
    const m = /^(https?):\/\/([a-z0-9.-]+|\[[0-9a-f:]+\])(?::(\d{1,5}|\*))?$/i.exec(entry);
    if (!m || (m[3] !== undefined && m[3] !== '*' && Number(m[3]) > 65535)) {
      throw new Error(`not an origin scheme://host[:port|:*]: ${entry}`);
    }
    const base = `${m[1]}://${m[2]}`.toLowerCase();
    if (m[3] === '*') anyPort.push(base);
    else exact.add(m[3] ? `${base}:${m[3]}` : base);
  }
  return (origin) => {
    const o = origin.toLowerCase();
    if (exact.has(o)) return true;
    return anyPort.some((base) => o === base || (o.startsWith(`${base}:`) && /^\d{1,5}$/.test(o.slice(base.length + 1))));
  };
}

/** Outside production, pages served from this machine on any port (a front-end's development server). */
export const DEVELOPMENT_CORS_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];
