# iamreach image: the web UI built with npm, embedded into one static Go
# binary, on a distroless base. Used by docker-compose.yml; also fine alone:
#   docker build -t iamreach .
#   docker run --rm -e IAMREACH_TOKEN="$(openssl rand -hex 32)" -p 127.0.0.1:8080:8080 iamreach
# (the default command serves the bundled demo organization; it listens on
# all interfaces inside the container, so it refuses to start without a
# token of at least 16 characters).

FROM node:22-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/ ./
RUN npm run build -- --logLevel warn

FROM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/web/dist/ ./web/dist/
RUN go build -trimpath -ldflags="-s -w" -o /out/iamreach ./cmd/iamreach

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/iamreach /usr/local/bin/iamreach
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/iamreach"]
# Inside the container the server must listen on all interfaces to be
# published; a token is then required (serve refuses otherwise). Publish
# the port on the host's loopback only.
CMD ["demo", "--listen", "0.0.0.0:8080"]
