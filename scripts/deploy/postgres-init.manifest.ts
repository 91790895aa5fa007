import { dbPasswordVar, GENERATED_NOTE, SUBGRAPH_PLANS } from './stack';

/**
 * The postgres image runs this once, as the superuser, on a new data directory. Names and passwords come from
 * the service's environment (the compose file, from .env), never from this file.
 */
export function postgresInitScript(): string {
  const lines = SUBGRAPH_PLANS.map(
    (s) => `create_owned_database "\${${s.env}_DB_USER:?}" "\${${dbPasswordVar(s)}:?}" "\${${s.env}_DB_NAME:?}"`,
  );
  return `#!/usr/bin/env bash
# ${GENERATED_NOTE}
# One login role per subgraph, owning its own database and nothing else; no other role may connect to it, and
# no service of the stack uses the superuser. Safe to run again (after adding a subgraph to an existing data
# directory: docker compose exec postgres bash /docker-entrypoint-initdb.d/10-roles.sh): it creates what is
# missing and sets the passwords from the environment.
set -eo pipefail

create_owned_database() {
  # The password goes through the environment, not the command line that ps shows.
  ROLE_PASSWORD="$2" psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "\${POSTGRES_USER:-postgres}" --dbname postgres \\
    -v role="$1" -v database="$3" <<'SQL'
\\getenv password ROLE_PASSWORD
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role')\\gexec
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database')\\gexec
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
SQL
}

${lines.join('\n')}
`;
}
