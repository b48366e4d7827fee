# syntax=docker/dockerfile:1
# Vigil container image: `docker build -t vigil .`
# Run: docker run -e SLACK_BOT_TOKEN=xoxb-... -e SLACK_APP_TOKEN=xapp-... \
#        -v $PWD/vigil.yaml:/etc/vigil/vigil.yaml:ro -v vigil-data:/data vigil

# ---- build: compile TypeScript and the better-sqlite3 native module ----
FROM node:24-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# better-sqlite3 is approved in package.json "allowScripts", so npm ci compiles it with node-gyp.
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
  && npm prune --omit=dev

# ---- runtime: only production dependencies and the compiled code ----
FROM node:24-bookworm-slim
# The incident chart's text is DejaVu Sans (src/charts/render-incident-chart.ts reads these files);
# the slim image has no fonts, and a chart without axis labels is hard to read at 3 a.m.
RUN apt-get update \
  && apt-get install -y --no-install-recommends fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    VIGIL_CONFIG=/etc/vigil/vigil.yaml \
    VIGIL_DB=/data/vigil.db
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json vigil.example.yaml ./
COPY bin ./bin
COPY migrations ./migrations
# The SQLite database lives on /data (mount a volume there); the config file at /etc/vigil.
# vigil.example.yaml is a starting point only: mount your own file (or a ConfigMap) at /etc/vigil.
RUN mkdir -p /data /etc/vigil \
  && chown node:node /data
VOLUME ["/data"]
# 1000 is the uid of the `node` user of the official image (numeric, so runAsNonRoot can verify it).
USER 1000:1000
# 3000: Slack events in HTTP mode (slack.port); 8080: /healthz, /ready, /metrics (http.health_port).
EXPOSE 3000 8080
ENTRYPOINT ["node", "bin/vigil.js"]
CMD ["run"]
