<#--
  The Node.js buildpack: node and npm from the distro, dependencies from npm's registry. The model: base (the image
  to build FROM), files (the names at the repository root, directories ending in "/"), web (the Procfile's web
  command, absent without one).

  Layers, from the most to the least stable: runtime, then dependencies keyed on package.json and the lockfile
  only, then the code. A push that changes only code reuses the first two from Docker's build cache.
-->
<#if !files?seq_contains("package.json")>
<#stop "the Node.js buildpack needs a package.json at the root of the repository">
</#if>
<#if web??>
<#assign command = web>
<#else>
<#-- npm start runs scripts.start from package.json, or "node server.js" when there is none. -->
<#assign command = "exec npm start">
</#if>
# Rendered by pier from templates/buildpacks/nodejs/Dockerfile.ftl
FROM ${base}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates nodejs npm \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false \
    PATH=/app/node_modules/.bin:$PATH
WORKDIR /app
<#if files?seq_contains("package-lock.json")>
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
<#elseif files?seq_contains("npm-shrinkwrap.json")>
COPY package.json npm-shrinkwrap.json ./
RUN npm ci --omit=dev
<#else>
COPY package.json ./
RUN npm install --omit=dev
</#if>
COPY . .
CMD ["/bin/sh", "-c", "${command?json_string}"]
