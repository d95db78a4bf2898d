# One image for the factory's processes (worker, factory server, simulator, artifact store); docker-compose.yml
# picks the command. Node 24 LTS, pinned by exact version and digest (docs/deployment.md: how to bump it).
ARG NODE_IMAGE=node:24.18.0-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# The workflow bundle is built once, here; workers load it (MIGRATION_FACTORY_WORKFLOW_BUNDLE) instead of
# running webpack at every start, and every worker of a release runs the same bundle.
RUN node --import tsx workers/build-bundle.ts /app/dist/workflow-bundle.js

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    MIGRATION_FACTORY_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
WORKDIR /app
# The code belongs to root and is read-only for the `node` user (uid 1000) the processes run as.
COPY --from=build /app /app
# Folders for the named volumes: a new volume takes its owner from here, so `node` can write to it.
RUN mkdir -p /data/simulator /data/ca /data/azurite /data/workspace \
    && chown -R node:node /data
USER node
CMD ["node", "--import", "tsx", "workers/main.ts"]
