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

server {
    listen 80;
    server_name<#list domains as d> ${d}</#list>;

    location / {
<#if upstreams?has_content>
        proxy_pass http://pier-${app};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
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
}
