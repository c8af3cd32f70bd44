# pier's minute tick, written by pier's installer from templates/systemd/pier-cron.timer.ftl (your own copy in
# /etc/pier/templates/systemd/pier-cron.timer.ftl wins).
[Unit]
Description=pier: every minute, start the apps' cron entries that are due

[Timer]
OnCalendar=*-*-* *:*:00
AccuracySec=1s

[Install]
WantedBy=timers.target
