<#--
  The static buildpack: the repository's files, served by BusyBox's httpd from the distro. The model: base (the
  image to build FROM), files (the names at the repository root, directories ending in "/"), web (the Procfile's
  web command, absent without one). There are no dependencies to install, so the only cached layer is the server.
-->
<#if web??>
<#assign command = web>
<#else>
<#assign command = 'exec busybox httpd -f -v -p "$PORT" -h /app'>
</#if>
# Rendered by pier from templates/buildpacks/static/Dockerfile.ftl
FROM ${base}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends busybox \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
# pier wrote this Dockerfile into the build context; it is not part of the site.
RUN rm -f Dockerfile
CMD ["/bin/sh", "-c", "${command?json_string}"]
