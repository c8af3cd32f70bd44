<#-- Docker's registry on a cluster's manager (Debian's docker-registry reads this file), rendered by pier's
     nodes:add. It listens on the cluster's private address only, over TLS, and takes pier's user alone: the
     apps' containers reach that address too. Your own copy in /etc/pier/templates/registry/config.yml.ftl wins. -->
version: 0.1
log:
  level: warn
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: ${storage}
  delete:
    enabled: true
http:
  addr: ${address}:${port?c}
  tls:
    certificate: ${certificate}
    key: ${key}
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: pier-registry
    path: ${htpasswd}
