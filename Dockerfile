# The switchover worker as a container image; docker-compose.yml builds and runs it.
#
#   docker build -t switchover .
#   docker run --rm switchover --help            (arguments go after `worker`)
#
# Tags are pinned to releases; bump them deliberately (a new JDK patch or Maven release), not by
# accident of whatever `latest` was on the day of the build.

FROM maven:3.9.11-eclipse-temurin-17 AS build
WORKDIR /src
# The POMs first, so a change in the code does not download every dependency again.
COPY pom.xml ./
COPY workflows/pom.xml workflows/
COPY testkit/pom.xml testkit/
COPY activities/pom.xml activities/
COPY starter/pom.xml starter/
COPY worker/pom.xml worker/
# The reactor names every module; the bench's POM is enough for Maven to read it.
COPY bench/pom.xml bench/
RUN mvn -B -q -ntp -pl worker -am dependency:go-offline -DexcludeReactor=true || true
COPY workflows/src workflows/src
# The demo's test kit is compiled with the worker; the image's jar leaves it out.
COPY testkit/src testkit/src
COPY activities/src activities/src
COPY starter/src starter/src
COPY worker/src worker/src
RUN mvn -B -q -ntp -pl worker -am -DskipTests package \
 && cp worker/target/switchover.jar /switchover.jar

FROM eclipse-temurin:17.0.16_8-jre
# A fixed uid, so that files mounted read-only (SSH key mode 0600, secrets) can be owned by it on
# the host, and reports written to a bind mount are too.
RUN groupadd --system --gid 10001 switchover \
 && useradd --system --uid 10001 --gid switchover --home-dir /home/switchover --create-home switchover
COPY --from=build /switchover.jar /app/switchover.jar
WORKDIR /app
USER switchover
# 9464: Prometheus /metrics, when the worker runs with --metrics-port 9464.
EXPOSE 9464
ENTRYPOINT ["java", "-jar", "/app/switchover.jar", "worker"]
