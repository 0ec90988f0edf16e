# syntax=docker/dockerfile:1
# modelgate's container image. docs/deploy.md says how to build, run and configure it.
#
#   docker build -t modelgate .                  # multi-stage: build, slim, runtime
#   docker run -p 8080:8080 modelgate            # serves the demo model on :8080 (tini is PID 1)
#
# Base: node:24-bookworm-slim pinned by digest; override with --build-arg NODE_IMAGE=... (CI
# builds on a local stand-in of it, scripts/image/standin-base.sh). Bump NODE_VERSION in
# scripts/ci/toolchain.sh together with this digest.
ARG NODE_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d

# ---- build: compile TypeScript, then keep production dependencies for this platform only ----
FROM ${NODE_IMAGE} AS build
ARG TARGETARCH
# the native addons ship prebuilt in their npm packages (better-sqlite3 13, onnxruntime-node);
# only our one-file malloc_trim addon compiles (gcc, libc6-dev; this stage only). binutils for
# strip, tini for the runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends binutils tini gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_update_notifier=false
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
COPY packages ./packages
# No install script runs, whatever the base image's npm: what package.json's allowScripts says
# for npm 11.16+ (onnxruntime-node would download ~300 MB of CUDA libraries, better-sqlite3 would
# compile what it ships prebuilt). Behind a TLS-inspecting proxy: --secret id=npm_ca,src=<CA
# bundle> (never stored in the image).
RUN --mount=type=secret,id=npm_ca,required=false \
    --mount=type=cache,target=/root/.npm \
    if [ -s /run/secrets/npm_ca ]; then export npm_config_cafile=/run/secrets/npm_ca; fi \
 && npm ci --ignore-scripts --no-audit --no-fund \
 && node packages/malloc-trim/build.mjs && node -e 'require("@modelgate/malloc-trim").loadTrim()()'
# the base image's node without its symbol table (-18 MB): the same machine code, so the same
# behaviour; native frames in a crash report show addresses instead of names
RUN strip -o /opt/node /usr/local/bin/node && /opt/node -e 'process.exit(0)'
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# the web console (Preact + Vite), built into dist/console by npm run build
COPY console ./console
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && arch="$(case "${TARGETARCH:-$(uname -m)}" in amd64|x86_64) echo x64;; arm64|aarch64) echo arm64;; *) echo unknown;; esac)" \
 && ort=node_modules/onnxruntime-node/bin/napi-v6 \
 && test -f "$ort/linux/$arch/onnxruntime_binding.node" \
 && find "$ort" -mindepth 2 -maxdepth 2 ! -path "$ort/linux/$arch" -exec rm -rf {} + \
 && rm -rf node_modules/onnxruntime-node/script \
 && bsq=node_modules/better-sqlite3 \
 && rm -rf "$bsq/deps" "$bsq/src" "$bsq/build/Release/obj" "$bsq/build/Release/obj.target" "$bsq/build/Release/.deps" \
           "$bsq/build/deps" \
 && if [ -d "$bsq/prebuilds" ]; then find "$bsq/prebuilds" -type f ! -name "linux-$arch.node" -delete; fi \
 && find node_modules dist \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \
      -o -name '*.md' -o -name '*.markdown' \) ! -iname 'licen[cs]e*' ! -iname 'notice*' ! -iname 'copying*' \
      -type f -delete \
 && find node_modules -type d \( -name test -o -name tests -o -name __tests__ -o -name docs -o -name example -o -name examples \) \
      -prune -exec rm -rf {} + \
 && find node_modules -name '*.ts' -type f -delete
COPY bin ./bin
COPY models/demo ./models/demo

# ---- slim: the base without what only a build needs (npm, yarn, headers) ----
FROM ${NODE_IMAGE} AS slim
RUN rm -rf /usr/local/include /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx \
           /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
           /usr/local/share/doc /usr/local/share/man /root/.npm /tmp/* \
 && mkdir -p /data && chown 1000:1000 /data && chmod 0750 /data

# ---- runtime: one layer of the slimmed base, then the application (read-only, owned by root) ----
FROM scratch AS runtime
COPY --from=slim / /
COPY --from=build /usr/bin/tini-static /usr/bin/tini
COPY --from=build /opt/node /usr/local/bin/node
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/packages ./packages
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY --from=build /src/models ./models

ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG SOURCE=https://github.com/modelgate/modelgate
ARG NODE_IMAGE
LABEL org.opencontainers.image.title="modelgate" \
      org.opencontainers.image.description="Serve ONNX models safely: versioned registry, validated inference, progressive rollouts with automatic rollback." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"

# Everything the server writes goes under MODELGATE_HOME (a volume); the root file system can be
# read-only. It binds every interface inside the container. ONNX Runtime's telemetry is off: it
# would write a device id under $HOME/.cache and session files under /tmp (and nothing leaves).
# V8's young generation is capped at 2 × 8 MB semi-spaces, as `npm start` does (ADR 0011): 64 MB
# by default on a large host, resident for nothing. Two glibc malloc arenas, not 8 per core.
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=8 \
    MALLOC_ARENA_MAX=2 \
    ORT_DISABLE_TELEMETRY=1 \
    MODELGATE_HOST=0.0.0.0 \
    MODELGATE_PORT=8080 \
    MODELGATE_HOME=/data
VOLUME ["/data"]
USER 1000:1000
EXPOSE 8080
# no curl in a slim image: Node's fetch asks /health (liveness; /ready is for load balancers)
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.MODELGATE_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# tini as PID 1 forwards SIGTERM to node and reaps children (no need for `docker run --init`)
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/modelgate.js"]
CMD ["serve", "--demo"]
