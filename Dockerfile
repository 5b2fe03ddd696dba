# Build the single binary, then ship it alone on a slim base as a non-root user.
FROM oven/bun:1.4.4 AS build
WORKDIR /src
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile
COPY . .
RUN bun run build

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
  && rm -rf /var/lib/apt/lists/* \
  && useradd --system --uid 10001 --home /var/lib/tdk tdk \
  && mkdir -p /var/lib/tdk && chown tdk /var/lib/tdk
COPY --from=build /src/dist/tdk /usr/local/bin/tdk
USER tdk
WORKDIR /var/lib/tdk
ENV DATA_DIR=/var/lib/tdk HOST=0.0.0.0 PORT=3000
VOLUME ["/var/lib/tdk"]
EXPOSE 3000
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/tdk"]
CMD ["serve"]
