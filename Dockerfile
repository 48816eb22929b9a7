# syntax=docker/dockerfile:1
#
# The hotfix service: one image, two roles.
#   docker build -t hotfix-orchestrator .
#   docker run ... hotfix-orchestrator --role api      (HTTP API, Jenkins callbacks, email links)
#   docker run ... hotfix-orchestrator --role worker   (the BullMQ steps; no HTTP port)
# The config file is read from HOTFIX_CONFIG (mount it); the git mirrors live in the volume
# at HOTFIX_DATA_DIR. docker-compose.yml runs the whole stack.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: compile src/ to dist/ (tsconfig.build.json) ------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# tsc needs no install scripts; skipping them keeps dev-only tools from fetching binaries.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies, the compiled service, git ---------------------------
FROM ${NODE_IMAGE} AS runtime

# git >= 2.38 (bookworm: 2.39) for the mirrors and merge-tree; openssh-client for ssh://
# remotes; ca-certificates for https remotes and APIs; tini as PID 1, so SIGTERM reaches
# Node (which then drains its jobs) and zombies from git child processes are reaped.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*

# A dedicated unprivileged user; its home holds ~/.ssh (known_hosts, keys) for ssh remotes.
RUN groupadd --system --gid 10001 hotfix \
 && useradd --system --uid 10001 --gid hotfix --home-dir /home/hotfix --create-home \
      --shell /usr/sbin/nologin hotfix \
 && mkdir -p /var/lib/hotfix \
 && chown hotfix:hotfix /var/lib/hotfix

ENV NODE_ENV=production \
    HOTFIX_DATA_DIR=/var/lib/hotfix

WORKDIR /app
COPY package.json package-lock.json ./
# Runtime dependencies only. No install scripts: `prestart` and friends are for development;
# the image runs `node dist/main.js`, never `npm start`.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY deploy/healthcheck.mjs ./deploy/healthcheck.mjs

# Application files stay root-owned (read-only to the service); only the data dir is its own.
USER hotfix:hotfix
VOLUME ["/var/lib/hotfix"]
EXPOSE 3000

# api/all: GET /healthz; worker: Redis answers (the role is read from PID 1's command line).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "deploy/healthcheck.mjs"]

ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/main.js"]
CMD ["--role", "all"]
