# pier's daily certificate renewal, written by pier's installer from templates/systemd/pier-renew.timer.ftl (your
# own copy in /etc/pier/templates/systemd/pier-renew.timer.ftl wins).
[Unit]
Description=pier: every day, renew the Let's Encrypt certificates that are due

[Timer]
OnCalendar=*-*-* 04:17:00
RandomizedDelaySec=30m
Persistent=true

[Install]
WantedBy=timers.target
