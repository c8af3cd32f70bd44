# pier's daily garbage collection of the cluster's registry, written by pier's installer from
# templates/systemd/pier-registry-gc.timer.ftl (your own copy in /etc/pier/templates/systemd/ wins).
[Unit]
Description=pier: every day, free the disk of the images removed from the cluster's registry

[Timer]
OnCalendar=*-*-* 04:47:00
Persistent=true

[Install]
WantedBy=timers.target
