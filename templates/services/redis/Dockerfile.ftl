<#--
  Redis from the base image's distro. The model: base, port, data. Snapshots every minute when a key changed, and
  at shutdown; the password comes from the container's environment.
-->
# Rendered by pier from templates/services/redis/Dockerfile.ftl
FROM ${base}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/*
VOLUME ${data}
CMD ["/bin/sh", "-c", "exec redis-server --bind 0.0.0.0 --port ${port} --dir ${data} --save 60 1 --appendonly no --requirepass \"$PIER_SERVICE_PASSWORD\""]
