<#--
  The PHP buildpack: Apache with mod_php from the distro (as on Heroku), dependencies from Packagist with the
  distro's Composer when there is a composer.json. The model: base (the image to build FROM), files (the names at
  the repository root, directories ending in "/"), web (the Procfile's web command, absent without one).

  Layers, from the most to the least stable: runtime and Apache's configuration, then dependencies keyed on
  composer.json and composer.lock only, then the code. A push that changes only code reuses all but the last.
-->
<#assign composer = files?seq_contains("composer.json")>
<#-- Frameworks (Laravel, Symfony) serve public/; an app with its index at the root serves the root. -->
<#if !files?seq_contains("index.php") && !files?seq_contains("index.html") && files?seq_contains("public/")>
<#assign docroot = "/app/public">
<#else>
<#assign docroot = "/app">
</#if>
<#if web??>
<#assign command = web>
<#else>
<#assign command = ". /etc/apache2/envvars && exec apache2 -DFOREGROUND">
</#if>
# Rendered by pier from templates/buildpacks/php/Dockerfile.ftl
FROM ${base}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates apache2 libapache2-mod-php \
    php-cli php-curl php-intl php-mbstring php-mysql php-pgsql php-sqlite3 php-xml php-zip<#if composer> composer unzip</#if> \
 && rm -rf /var/lib/apt/lists/* \
 && ln -sfT /dev/stderr /var/log/apache2/error.log \
 && ln -sfT /dev/stdout /var/log/apache2/access.log \
 && ln -sfT /dev/stdout /var/log/apache2/other_vhosts_access.log \
 && a2dissite 000-default && a2enmod rewrite && : > /etc/apache2/ports.conf
# Apache reads ${r"${PORT}"} from the environment when it starts, so it listens on the port pier gives the container.
# When the document root is the repository, its dotfiles, Composer files, vendor/, Procfile and Dockerfile stay private.
RUN printf '%s\n' 'Listen ${r"${PORT}"}' 'ServerName localhost' 'DirectoryIndex index.php index.html' \
      '<VirtualHost *:${r"${PORT}"}>' '    DocumentRoot ${docroot}' '</VirtualHost>' \
      '<Directory /app>' '    AllowOverride All' '    Require all granted' '</Directory>' \
      '<Directory /app/vendor>' '    Require all denied' '</Directory>' \
      '<FilesMatch "^(\.|composer\.(json|lock)$|Dockerfile$|Procfile$)">' '    Require all denied' '</FilesMatch>' \
      > /etc/apache2/sites-available/pier.conf \
 && a2ensite pier
WORKDIR /app
<#if composer>
ENV COMPOSER_ALLOW_SUPERUSER=1 COMPOSER_NO_INTERACTION=1
<#if files?seq_contains("composer.lock")>
COPY composer.json composer.lock ./
<#else>
COPY composer.json ./
</#if>
RUN composer install --no-dev --no-progress --prefer-dist --no-scripts --no-autoloader
</#if>
COPY . .
<#if composer>
RUN composer dump-autoload --no-dev --optimize
</#if>
<#if !web??>
# Apache stops gracefully on SIGWINCH, letting requests in flight finish; SIGTERM would cut them.
STOPSIGNAL SIGWINCH
</#if>
CMD ["/bin/sh", "-c", "${command?json_string}"]
