# zhsenti in a container: the Native AOT release (tools/release/publish.sh) on runtime-deps, which has no .NET runtime
# and no shell tools beyond the base OS. The default model is inside; mount another and set ZhSentiment__Model.
#   docker build -t zhsenti .
#   docker run --rm -p 8080:8080 --read-only --tmpfs /tmp zhsenti
# The base images are arguments so that a machine that cannot pull them can build on local ones
# (tools/container/podman-check.sh makes them from Debian packages).

ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0

FROM ${SDK_IMAGE} AS build
# Native AOT links the binary with the system toolchain.
RUN apt-get update \
    && apt-get install -y --no-install-recommends clang zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Restore first, from the project files alone, so code edits reuse the cached packages layer.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ZhSentiment/ZhSentiment.csproj src/ZhSentiment/
COPY src/ZhSentiment.Core/ZhSentiment.Core.csproj src/ZhSentiment.Core/
RUN dotnet restore src/ZhSentiment/ZhSentiment.csproj -r linux-x64
COPY . .
RUN tools/release/publish.sh /out

FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /out/ ./
# The only writes are to the model cache (ONNX graphs built from checkpoints, ModelScope downloads): point it at a
# writable volume so the root filesystem can stay read-only.
ENV ASPNETCORE_HTTP_PORTS=8080 \
    ZHSENTI_CACHE=/tmp/zhsenti
EXPOSE 8080
# The non-root user the .NET base images define (uid 1654).
USER $APP_UID
# `zhsenti health` probes /health on $ASPNETCORE_URLS or $ASPNETCORE_HTTP_PORTS; the image has no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["/app/zhsenti", "health"]
ENTRYPOINT ["/app/zhsenti", "serve"]
