# pier's minute tick, written by pier's installer from templates/systemd/pier-cron.service.ftl (your own copy
# in /etc/pier/templates/systemd/pier-cron.service.ftl wins). Started each minute by pier-cron.timer: starts the
# apps' app.json cron entries that are due, then exits.
[Unit]
Description=pier: start the apps' cron entries due this minute
After=docker.service

[Service]
Type=oneshot
ExecStart=${launcher} cron:tick
