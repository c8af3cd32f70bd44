# pier's boot hook, written by pier's installer from templates/systemd/pier-boot.service.ftl (your own copy
# in /etc/pier/templates/systemd/pier-boot.service.ftl wins). Once at boot, after Docker and Nginx: start
# what pier needs if it is not running, then reconcile every app. Nothing stays resident.
[Unit]
Description=pier: ensure Docker, Nginx and sshd run, then reconcile every app
Wants=docker.service nginx.service
After=docker.service nginx.service network-online.target

[Service]
Type=oneshot
ExecStart=${launcher} install --boot
TimeoutStartSec=15min

[Install]
WantedBy=multi-user.target
