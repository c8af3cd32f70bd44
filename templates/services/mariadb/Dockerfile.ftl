<#--
  MariaDB from the base image's distro. The model: base, port, data. The first start makes the system tables, with
  root reachable only through the socket inside the container; pier then runs service.properties' setup.
-->
# Rendered by pier from templates/services/mariadb/Dockerfile.ftl
FROM ${base}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mariadb-server mariadb-client \
 && rm -rf /var/lib/apt/lists/*
VOLUME ${data}
CMD ["/bin/sh", "-c", "set -e; install -d -o mysql -g mysql -m 0755 /run/mysqld; chown mysql:mysql ${data}; if [ ! -d ${data}/mysql ]; then mariadb-install-db --user=mysql --datadir=${data} --skip-test-db --auth-root-authentication-method=socket >/dev/null; fi; exec mariadbd --user=mysql --datadir=${data} --bind-address=0.0.0.0 --port=${port} --skip-name-resolve"]
