# Written by pier's installer; it includes one file per app from ${nginxDir}.
# Long app domains need a larger hash bucket than Debian's default.
server_names_hash_bucket_size 128;

# The Connection header apps' sites send upstream: "upgrade" for a WebSocket upgrade, else none, so the
# upstream connections are kept alive between requests.
map $http_upgrade $pier_connection {
    default upgrade;
    ''      '';
}

# Unknown host names get 404: no app leaks onto a name it was not given. ACME HTTP-01 challenges are answered
# for every name, so a certificate can be issued for a name before any app or site has it.
server {
    listen 80 default_server;
    server_name _;
    location ^~ /.well-known/acme-challenge/ {
        alias ${acmeChallenges!"/var/lib/pier-acme-challenge"}/;
        default_type text/plain;
    }
    location / {
        return 404;
    }
}

# HTTPS for a name no app serves with a certificate: the handshake is refused, so no app's certificate or page
# is shown for it.
server {
    listen 443 ssl http2 default_server;
    server_name _;
    ssl_reject_handshake on;
}

include ${nginxDir}/*.conf;
