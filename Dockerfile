# syntax=docker/dockerfile:1
# Build: docker build --build-arg AICOST_REVISION=$(git rev-parse HEAD) -t aicost-exporter .    Run: docker run -p 10042:10042 aicost-exporter (demo mode)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Dependencies first, so source edits reuse the cached layer.
COPY pom.xml mvnw ./
COPY .mvn .mvn
RUN mvn -q -B dependency:go-offline
COPY src src
# .git is not in the context: the revision for --version and aicost_build_info comes in as a build arg
ARG AICOST_REVISION=""
RUN mvn -q -B -DskipTests package && test -f target/aicost-exporter.jar

FROM eclipse-temurin:17-jre
LABEL org.opencontainers.image.title="aicost-exporter" \
      org.opencontainers.image.source="https://github.com/aicost-exporter/aicost-exporter" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10042 aicost \
 && useradd --system --uid 10042 --gid aicost --home-dir /var/lib/aicost --create-home aicost
WORKDIR /var/lib/aicost
COPY --from=build /src/target/aicost-exporter.jar /opt/aicost/aicost-exporter.jar
USER 10042:10042
EXPOSE 10042
VOLUME ["/var/lib/aicost"]
# The JRE image has neither curl nor wget: bash's /dev/tcp speaks just enough HTTP. Another listen address
# or basic auth: set AICOST_HEALTHCHECK_ADDR / _USER / _PASSWORD; TLS: docs/configuration.md "Docker health check".
COPY --chmod=755 deploy/docker/healthcheck /opt/aicost/healthcheck
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/opt/aicost/healthcheck"]
# A small daemon: serial GC, small stacks, a bounded heap that still fits the scrape snapshots.
# the same JVM flags as ./aicost-exporter (measured by bench/scrape.sh)
ENTRYPOINT ["java", "-Xms32m", "-Xmx96m", "-Xmn12m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", \
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-XX:MaxMetaspaceSize=64m", \
            "-XX:ReservedCodeCacheSize=32m", "-XX:+ExitOnOutOfMemoryError", \
            "-jar", "/opt/aicost/aicost-exporter.jar"]
CMD ["--demo"]
