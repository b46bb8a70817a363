# syntax=docker/dockerfile:1
# cicflow as a container: `docker build -t cicflow-api .` then
# `docker run -p 8000:8000 -p 50051:50051 cicflow-api`.
# Both stages install their packages with tools/install-deps.sh, the same
# script CI runs, so the image and CI cannot drift apart.

# ---- build stage: compilers, -dev packages, a Release build -------------
FROM debian:bookworm AS build
# The package layer only depends on the script, so source edits reuse it.
COPY tools/install-deps.sh /src/tools/install-deps.sh
RUN /src/tools/install-deps.sh build && rm -rf /var/lib/apt/lists/*
COPY . /src
# Only the binary: the tests need the shared corpus, which is not here.
RUN cmake -S /src -B /build -DCMAKE_BUILD_TYPE=Release -DENABLE_WERROR=ON \
 && cmake --build /build -j"$(nproc)" --target cicflow \
 && strip /build/cli/cicflow \
 && /build/cli/cicflow serve --help >/dev/null

# ---- runtime stage: shared libraries and the binary ---------------------
FROM debian:bookworm-slim
COPY tools/install-deps.sh /usr/local/share/cicflow/install-deps.sh
RUN /usr/local/share/cicflow/install-deps.sh runtime \
 && apt-get clean && rm -rf /var/lib/apt/lists/*

# A fixed uid so that Kubernetes' runAsNonRoot can check it, and a spool
# directory of its own (mount an emptyDir there for a read-only root).
RUN useradd --system --uid 10001 --user-group --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin cicflow \
 && install -d -o cicflow -g cicflow -m 0700 /var/tmp/cicflow

COPY --from=build /build/cli/cicflow /usr/local/bin/cicflow
# Fail the build if a shared library is missing from the runtime list.
RUN ! ldd /usr/local/bin/cicflow | grep -F 'not found'

ENV CICFLOW_TMP_DIR=/var/tmp/cicflow \
    CICFLOW_GRPC_ADDRESS=0.0.0.0:50051 \
    CICFLOW_HTTP_ADDRESS=0.0.0.0:8000
USER 10001:10001
WORKDIR /var/tmp/cicflow
EXPOSE 8000 50051
# The REST gateway's /healthz, on the port of CICFLOW_HTTP_ADDRESS.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -fsS -o /dev/null \
      "http://127.0.0.1:${CICFLOW_HTTP_ADDRESS##*:}/healthz" || exit 1
# cicflow handles SIGTERM itself: running calls get CICFLOW_GRACE_PERIOD.
STOPSIGNAL SIGTERM
ENTRYPOINT ["cicflow"]
CMD ["serve"]
