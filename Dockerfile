# crmsync: one image for `crmsync serve`, `crmsync sandbox` and the one-shot setup
# (`crmsync migrate`, `seed-demo`, `oauth-client set`). Built by docker-compose.yml; the schema
# files travel with the binary (CRMSYNC_ROOT), the OpenAPI document in its resource bundle.
# Swift 6.3, the toolchain the project is built and tested with: the dependencies resolved need
# 6.2 or later, and an older toolchain would quietly resolve older, untested versions of them.
FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev libcurl4-openssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product crmsync \
    && bin="$(swift build -c release --show-bin-path)" \
    && mkdir -p /out && cp "$bin/crmsync" /out/ && cp -R "$bin/crmsync_CRMSyncServer.resources" /out/

FROM swift:6.3-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 libcurl4 curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home-dir /srv/crmsync crmsync
COPY --from=build /out/ /usr/local/bin/
COPY sql /srv/crmsync/sql
COPY policies /srv/crmsync/policies
COPY demo /srv/crmsync/demo
ENV CRMSYNC_ROOT=/srv/crmsync
USER crmsync
EXPOSE 8080
ENTRYPOINT ["crmsync"]
CMD ["serve"]
