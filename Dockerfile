FROM node:20.19-bookworm-slim
WORKDIR /app
ENV APOLLO_TELEMETRY_DISABLED=1 NODE_ENV=production HOST=0.0.0.0
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY gateway gateway
COPY subgraphs subgraphs
COPY scripts scripts
COPY demo demo
COPY importer importer
COPY schema schema
RUN npm run build && npm prune --omit=dev --ignore-scripts
USER node
