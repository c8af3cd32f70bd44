# Written by pier's installer; it includes one file per app from ${nginxDir}.
# Long app domains need a larger hash bucket than Debian's default.
server_names_hash_bucket_size 128;

# Unknown host names get 404: no app leaks onto a name it was not given.
server {
    listen 80 default_server;
    server_name _;
    return 404;
}

include ${nginxDir}/*.conf;
