# Written by pier for the app ${app}; changes here are lost on the next deploy.
# To change what every app gets, copy this template to /etc/pier/templates/nginx/app.conf.ftl.
<#if upstreams?has_content>
upstream pier-${app} {
<#list upstreams as u>
    server ${u.host}:${u.port};
</#list>
    keepalive 32;
}
</#if>
<#macro proxied>
<#if passwords??>
    # pier http-auth:on ${app}: every request needs one of the app's users (bcrypt hashes in the file).
    auth_basic "${app}";
    auth_basic_user_file ${passwords};
</#if>
<#if maintenance??>
    # pier maintenance:on ${app}: every request gets the maintenance page with 503; the app keeps running.
    location / {
        return 503;
    }
    error_page 503 /pier-maintenance.html;
    location = /pier-maintenance.html {
        root ${maintenance};
        internal;
    }
<#else>
    location / {
<#if upstreams?has_content>
        proxy_pass http://pier-${app};
        proxy_http_version 1.1;
        # WebSocket upgrades pass through; other requests reuse the upstream connections (pier.conf's map).
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $pier_connection;
        # pier nginx:set ${app} client-max-body-size|proxy-read-timeout|proxy-send-timeout|proxy-buffering VALUE
        client_max_body_size ${proxying.clientMaxBodySize};
        proxy_read_timeout ${proxying.readTimeout};
        proxy_send_timeout ${proxying.sendTimeout};
        proxy_buffering ${proxying.buffering};
        proxy_set_header Host $http_host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Port $server_port;
        proxy_set_header X-Request-Start $msec;
<#else>
        # No web container runs (pier ps:stop, or ps:scale web=0).
        return 503;
</#if>
    }
</#if>
</#macro>
<#macro challenges>
    # ACME HTTP-01 challenges (Let's Encrypt) are answered from pier's directory, before any redirect.
    location ^~ /.well-known/acme-challenge/ {
        alias ${acmeChallenges}/;
        default_type text/plain;
        auth_basic off;
    }
</#macro>
<#if plainDomains?has_content>

server {
    listen 80;
    server_name<#list plainDomains as d> ${d}</#list>;
<@challenges/>
<@proxied/>
}
</#if>
<#if tls?? && tls.names?has_content>
<#if tls.redirect>

# Plain HTTP for the names with a certificate answers 301 to HTTPS (pier certs:set ${app} redirect off keeps it).
server {
    listen 80;
    server_name<#list tls.names as d> ${d}</#list>;
<@challenges/>
    location / {
        return 301 https://$host$request_uri;
    }
}
</#if>

# HTTPS, certificate ${tls.fingerprint}
server {
    listen 443 ssl http2;
    server_name<#list tls.names as d> ${d}</#list>;
    ssl_certificate ${tls.certificate};
    ssl_certificate_key ${tls.key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:pier-ssl:10m;
<#if tls.hsts>
    add_header Strict-Transport-Security "max-age=31536000" always;
</#if>
<@proxied/>
}
</#if>
<#list redirects as r>

# pier redirect:set ${app} ${r.from} ${r.to}
server {
    listen 80;
<#if r.https>
    listen 443 ssl http2;
    ssl_certificate ${tls.certificate};
    ssl_certificate_key ${tls.key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:pier-ssl:10m;
</#if>
    server_name ${r.from};
<@challenges/>
    location / {
        return 301 $scheme://${r.to}$request_uri;
    }
}
</#list>
