# syntax=docker/dockerfile:1
# Tessera: multi-stage image on node:24-slim. The workspace runs TypeScript directly (Node 24 type
# stripping), so the build stage installs, generates the Prisma client and drops dev dependencies;
# the runtime stage is the same tree, owned by root and run by an unprivileged user.
# apps/server/test/foundation/dockerfile.test.ts replays this file without Docker (its COPY and RUN
# steps, then CMD and HEALTHCHECK), so a file missing from a COPY fails the test suite.

FROM node:24-slim AS build
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true PRISMA_SCHEMA_ENGINE_BINARY=/usr/bin/true \
    TURBO_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
# The pnpm of package.json's packageManager (the replay test checks that they agree).
RUN npm install -g pnpm@12.4.2
WORKDIR /app
# What `pnpm install` reads (the workspace, its lockfile, .npmrc) and what its postinstall,
# `prisma generate`, reads: prisma.config.ts, the schema, and tsconfig.base.json, which every
# package's tsconfig.json extends.
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json .npmrc prisma.config.ts tsconfig.base.json ./
COPY prisma ./prisma
COPY apps/server/package.json apps/server/
COPY packages ./packages
RUN pnpm install --frozen-lockfile
COPY apps ./apps
# Drop dev dependencies: `prune` also empties them out of node_modules/.pnpm, which
# `install --prod` leaves in place (biome, turbo, typescript: about 200 MB). Workspace packages stay
# where they are (not copied into node_modules, where Node refuses to strip types); the generated
# Prisma client stays in packages/storage/src/generated.
RUN pnpm prune --prod --ignore-scripts

FROM node:24-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 TESSERA_DATA_DIR=/data
RUN groupadd --system tessera && useradd --system --gid tessera --home-dir /data tessera \
 && mkdir -p /data && chown tessera:tessera /data
WORKDIR /app
COPY --from=build /app /app
USER tessera
EXPOSE 3000
# /data holds first-run.json (the management client's credentials, mode 0600), and with no
# DATABASE_URL the embedded database and the generated master key.
VOLUME ["/data"]
# /health, not /ready: it says the process serves HTTP and consults no dependency, so a Postgres or
# Redis outage does not get healthy replicas restarted or replaced by an orchestrator that acts on
# this status. docker-compose.yml checks /ready instead (its status gates the proxy, never a restart).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Migrations run at start (the server applies pending ones before it listens).
CMD ["node", "--no-node-snapshot", "apps/server/src/main.ts"]
