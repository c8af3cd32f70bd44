<#--
  The Python buildpack: python3 and gunicorn from the distro, requirements.txt from the Python Package Index. The
  model: base (the image to build FROM), files (the names at the repository root, directories ending in "/"), web
  (the Procfile's web command, absent without one).

  Layers, from the most to the least stable: runtime, then dependencies keyed on requirements.txt only, then the
  code. A push that changes only code reuses the first two from Docker's build cache.
-->
<#if web??>
<#assign command = web>
<#elseif files?seq_contains("wsgi.py")>
<#-- gunicorn's default callable is "application", as Django's and most wsgi.py files name it. -->
<#assign command = 'exec python -m gunicorn --bind "0.0.0.0:$PORT" --access-logfile - wsgi'>
<#elseif files?seq_contains("app.py")>
<#assign command = 'exec python -m gunicorn --bind "0.0.0.0:$PORT" --access-logfile - app:app'>
<#else>
<#stop "the Python buildpack starts wsgi.py (callable application) or app.py (callable app) with gunicorn, and this repository has neither: add a Procfile with a line such as web: gunicorn --bind 0.0.0.0:$PORT mymodule:app">
</#if>
# Rendered by pier from templates/buildpacks/python/Dockerfile.ftl
FROM ${base}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates python3 python3-venv gunicorn \
 && rm -rf /var/lib/apt/lists/*
# pip may not install into the distro's Python (PEP 668), so packages go into a virtualenv that still sees the
# distro's (gunicorn): a requirement the distro already satisfies is not downloaded again.
ENV VIRTUAL_ENV=/venv PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python3 -m venv --system-site-packages /venv
WORKDIR /app
<#if files?seq_contains("requirements.txt")>
COPY requirements.txt ./
RUN if grep -qvE '^[[:space:]]*(#|$)' requirements.txt; then pip install -r requirements.txt; else echo "requirements.txt lists no packages"; fi
</#if>
COPY . .
CMD ["/bin/sh", "-c", "${command?json_string}"]
