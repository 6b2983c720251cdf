# costsim: PostgreSQL 15 with the costsim extension and pg_cron, on the official Debian image.
#
#   docker build -t costsim/postgres:0.4 .
#   docker run -d --name costsim -e POSTGRES_PASSWORD=... -p 127.0.0.1:5432:5432 costsim/postgres:0.4
#
# Two stages: `build` compiles the extension with PGXS (`make`, `make install DESTDIR=/out`); the final image adds
# pg_cron and the extension's runtime libraries, the server settings the extension needs (docker/costsim.conf,
# included by every data directory the image initializes) and the first-start script
# (docker/initdb/10-costsim.sh: database costsim, CREATE EXTENSION pg_cron and costsim, optional passwords for
# PostgREST's authenticator and postgres_exporter, the daily canary). Running it, upgrading, Kubernetes, monitoring,
# backups: docs/deploy.md.
#
# Build arguments: PG_MAJOR (the base image is postgres:${PG_MAJOR}-bookworm; the extension is built and tested
# for 15 only), COSTSIM_VERSION (checked against costsim.control), PG_CRON_VERSION (an exact Debian version of
# postgresql-15-cron; default: the newest the repositories offer), VCS_REF and BUILD_DATE (OCI labels only).

ARG PG_MAJOR=15

# ---------------------------------------------------------------------------------------------------------- build
FROM postgres:${PG_MAJOR}-bookworm AS build
ARG PG_MAJOR
ARG COSTSIM_VERSION=0.4
SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# Compiler and libraries (Debian), and the server headers from the PGDG repository the base image already has in
# its apt sources: those of the very release the image runs (the base image's ENV PG_VERSION) while PGDG still
# has it, else the newest of the same major (a module built for 15.x loads into every 15.y).
RUN set -eux; \
    export DEBIAN_FRONTEND=noninteractive; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
        g++ make libboost-math-dev libssl-dev libcurl4-openssl-dev zlib1g-dev; \
    if ! apt-get install -y --no-install-recommends "postgresql-server-dev-${PG_MAJOR}=${PG_VERSION}"; then \
        echo "warning: postgresql-server-dev-${PG_MAJOR}=${PG_VERSION} is not in the repository any more:" \
             "building against the newest ${PG_MAJOR}.x headers" >&2; \
        apt-get install -y --no-install-recommends "postgresql-server-dev-${PG_MAJOR}"; \
    fi; \
    rm -rf /var/lib/apt/lists/*

# Only what `make` and `make install` read (.dockerignore keeps a developer's objects and build/ out, so
# everything is compiled here). The reference datasets are embedded in the install scripts at build time.
WORKDIR /src
COPY Makefile costsim.control ./
COPY extension/ extension/
COPY bgworker/ bgworker/
COPY sql/ sql/
COPY datasets/ datasets/

# The library keeps its symbol table (readable backtraces) but not its debug sections (17 MB -> under 1 MB).
RUN set -eux; \
    grep -qxF "default_version = '${COSTSIM_VERSION}'" costsim.control; \
    pg_config="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"; \
    make -j"$(nproc)" PG_CONFIG="$pg_config"; \
    make install DESTDIR=/out PG_CONFIG="$pg_config"; \
    strip --strip-debug "/out/usr/lib/postgresql/${PG_MAJOR}/lib/costsim.so"; \
    find /out -type f -printf '%p %s\n' | sort

# ---------------------------------------------------------------------------------------------------------- image
FROM postgres:${PG_MAJOR}-bookworm
ARG PG_MAJOR
ARG COSTSIM_VERSION=0.4
ARG PG_CRON_VERSION=
ARG VCS_REF=
ARG BUILD_DATE=

LABEL org.opencontainers.image.title="costsim-postgres" \
      org.opencontainers.image.description="PostgreSQL ${PG_MAJOR} with the costsim extension (V1/V2 cost simulation, drift measurement, hash-chained audit log), pg_cron and the server settings costsim needs" \
      org.opencontainers.image.version="${COSTSIM_VERSION}" \
      org.opencontainers.image.revision="${VCS_REF}" \
      org.opencontainers.image.created="${BUILD_DATE}" \
      org.opencontainers.image.base.name="postgres:${PG_MAJOR}-bookworm"

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# pg_cron (from PGDG, like the server) and what costsim.so links against: libstdc++, OpenSSL's libcrypto, libcurl
# (alert delivery to Alertmanager; ca-certificates for an https URL), zlib. Boost.Math is header-only: nothing of
# Boost is needed at run time.
RUN set -eux; \
    export DEBIAN_FRONTEND=noninteractive; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
        "postgresql-${PG_MAJOR}-cron${PG_CRON_VERSION:+=${PG_CRON_VERSION}}" \
        libstdc++6 libssl3 libcurl4 zlib1g ca-certificates; \
    rm -rf /var/lib/apt/lists/*

COPY --from=build /out/ /
COPY docker/costsim.conf /etc/postgresql/costsim.conf
COPY docker/initdb/ /docker-entrypoint-initdb.d/

# Every data directory this image initializes ends its postgresql.conf by including costsim's settings (initdb
# copies the sample; the base image keeps it at /usr/share/postgresql/postgresql.conf.sample, linked from here).
# Then check that the library finds its shared libraries.
RUN set -eux; \
    chmod 0644 /etc/postgresql/costsim.conf; \
    chmod 0755 /docker-entrypoint-initdb.d/10-costsim.sh; \
    sample="/usr/share/postgresql/${PG_MAJOR}/postgresql.conf.sample"; \
    printf "\n# costsim: the settings the extension needs (docker/costsim.conf)\ninclude '/etc/postgresql/costsim.conf'\n" >> "$sample"; \
    grep -qxF "include '/etc/postgresql/costsim.conf'" "$sample"; \
    if ldd "/usr/lib/postgresql/${PG_MAJOR}/lib/costsim.so" | grep -F 'not found'; then exit 1; fi

# Smoke test of the image as built: a throwaway cluster initialized from the sample above preloads pg_cron and
# costsim, the extension installs, answers, has its shared memory (costsim.metrics) and its two workers, one leading.
RUN set -eux; \
    smoke="$(mktemp -d)"; \
    chown postgres: "$smoke"; \
    gosu postgres initdb -D "$smoke/data" --username=postgres --auth=trust > /dev/null; \
    gosu postgres pg_ctl -D "$smoke/data" -l "$smoke/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories=$smoke" start \
        || { cat "$smoke/server.log"; exit 1; }; \
    psql=(gosu postgres psql -X -q -At -v ON_ERROR_STOP=1 -h "$smoke"); \
    "${psql[@]}" -d postgres -c 'CREATE DATABASE costsim'; \
    "${psql[@]}" -d costsim -c 'CREATE EXTENSION pg_cron' -c 'CREATE EXTENSION costsim'; \
    test "$("${psql[@]}" -d costsim -c "SELECT extversion FROM pg_extension WHERE extname = 'costsim'")" = "${COSTSIM_VERSION}"; \
    test "$("${psql[@]}" -d costsim -c "SELECT costsim.simulate_v1('[{\"skill\":\"llm_invoke\",\"params\":{\"prompt\":\"hi\"}}]', 100)->>'feasible'")" = true; \
    test "$("${psql[@]}" -d costsim -c "SELECT count(*) > 0 FROM costsim.metrics")" = t; \
    for i in $(seq 1 100); do \
        [ "$("${psql[@]}" -d costsim -c 'SELECT pg_stat_clear_snapshot(); SELECT leader_pid IS NOT NULL FROM costsim.worker_status()' | tail -n 1)" = t ] && break; \
        [ "$i" -lt 100 ] || { cat "$smoke/server.log"; exit 1; }; \
        sleep 0.2; \
    done; \
    gosu postgres pg_ctl -D "$smoke/data" -m fast -w stop; \
    rm -rf "$smoke"

# The entrypoint creates POSTGRES_DB on first start; costsim's settings name the database costsim, and
# 10-costsim.sh creates it anyway when POSTGRES_DB names another one.
ENV POSTGRES_DB=costsim

# Healthy once the real server accepts TCP connections (the entrypoint's first-start server listens on the Unix
# socket only, so a container still initializing is not healthy yet). Kubernetes uses its own probes instead.
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=6 \
    CMD pg_isready -q -h 127.0.0.1 -p "${PGPORT:-5432}" -U "${POSTGRES_USER:-postgres}" -d costsim || exit 1

# As the base image: the entrypoint runs as root only to fix the data directory's ownership, then runs the
# server (and the first-start scripts) as the postgres user. `docker run IMAGE -c name=value ...` adds settings.
EXPOSE 5432
CMD ["postgres"]
