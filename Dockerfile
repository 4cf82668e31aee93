# syntax=docker/dockerfile:1
# Advocate in a container: built with the Swift toolchain, run on a slim Debian with only what
# the binary needs (docs/deploy.md).
#   docker build -t advocate .
#   docker run -p 8080:8080 -v advocate-data:/var/lib/advocate advocate

FROM swift:6.3-bookworm AS build
WORKDIR /src
# Dependencies first, so that changing our sources does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product advocate --static-swift-stdlib \
 && mkdir /staging \
 && cp .build/release/advocate /staging/ \
 && cp -R .build/release/*.resources /staging/

FROM debian:bookworm-slim
# CA certificates for SMTP over TLS and PostgreSQL with sslmode=verify-full; tzdata for survey
# time zones; libstdc++ and zlib for the statically linked Swift runtime's C++ and compression.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata libstdc++6 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/advocate --create-home --shell /usr/sbin/nologin advocate
# The resource bundles (templates, locales, the OpenAPI document) sit beside the binary, where
# it looks for them.
COPY --from=build /staging/ /opt/advocate/
USER advocate
WORKDIR /var/lib/advocate
VOLUME /var/lib/advocate
ENV ADVOCATE_DATA_DIR=/var/lib/advocate \
    ADVOCATE_HOST=0.0.0.0 \
    ADVOCATE_PORT=8080 \
    ADVOCATE_LOG_FORMAT=json
EXPOSE 8080
# docker stop sends SIGTERM: requests in flight and started jobs finish before the exit.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/advocate/advocate"]
CMD ["serve"]
