# syntax=docker/dockerfile:1
#
# One image, two entry points (and the migrations):
#   node dist/apps/api/apps/api/src/main.js         the API (default command)
#   node dist/apps/worker/apps/worker/src/main.js   a worker
#   node scripts/db/migrate.mjs                     apply prisma/migrations (DATABASE_URL)
#
#   docker build -t baton:local .

# Node 24 LTS: within package.json's `engines` (what every dependency declares).
ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: every dependency (Nest CLI, TypeScript, Prisma generate), then `nest build` ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# What `npm ci`'s postinstall (db:generate, the Prisma client) needs, before the sources:
# the dependency layer stays cached until package-lock.json or the schema changes.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts/db ./scripts/db
# The postinstall's cockpit build (scripts/ui) steps aside without apps/; `npm run build` builds it.
COPY scripts/ui ./scripts/ui
RUN npm ci --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build

# --- production dependencies only ---
# --ignore-scripts: the postinstall would regenerate the Prisma client, which the build
# already compiled into dist/, and @prisma/engines would download native engines that
# Baton does not use (driver adapters; migrations run on the WebAssembly engine).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- runtime ---
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# The migration engine (scripts/db/engine.mjs) is a dev dependency; migrate needs it at run time.
COPY --from=build /app/node_modules/@prisma/schema-engine-wasm ./node_modules/@prisma/schema-engine-wasm
COPY --from=build /app/dist/apps ./dist/apps
COPY package.json ./
COPY prisma ./prisma
COPY scripts/db ./scripts/db
# Files stay root-owned and read-only to the process; it runs as the image's unprivileged `node` user.
USER node
EXPOSE 3000 9464
CMD ["node", "dist/apps/api/apps/api/src/main.js"]
