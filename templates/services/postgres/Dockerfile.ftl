<#--
  PostgreSQL from the base image's distro. The model: base (the image to build FROM), port, data (the data path).
  The first start makes the cluster: local connections (pier's own, through docker exec) are trusted, network ones
  need the password. pier then runs service.properties' setup for the app's user and database.
-->
# Rendered by pier from templates/services/postgres/Dockerfile.ftl
FROM ${base}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s "$(dirname /usr/lib/postgresql/*/bin/postgres)" /usr/local/lib/pgbin \
 && install -d -o postgres -g postgres -m 2775 /run/postgresql
ENV PATH=/usr/local/lib/pgbin:$PATH PGDATA=${data}
VOLUME ${data}
# PostgreSQL's smart shutdown waits for clients; SIGINT is its fast one, which still writes a clean checkpoint.
# setpriv execs the server as PID 1 (runuser would stay in between and not pass the signal on).
STOPSIGNAL SIGINT
CMD ["/bin/sh", "-c", "set -e; install -d -o postgres -g postgres -m 0700 \"$PGDATA\"; if [ ! -s \"$PGDATA/PG_VERSION\" ]; then setpriv --reuid=postgres --regid=postgres --init-groups initdb -D \"$PGDATA\" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null; echo \"listen_addresses = '*'\" >> \"$PGDATA/postgresql.conf\"; echo 'host all all 0.0.0.0/0 scram-sha-256' >> \"$PGDATA/pg_hba.conf\"; fi; exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D \"$PGDATA\" -p ${port}"]
