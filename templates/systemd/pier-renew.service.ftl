# pier's daily certificate renewal, written by pier's installer from templates/systemd/pier-renew.service.ftl (your
# own copy in /etc/pier/templates/systemd/pier-renew.service.ftl wins). Started each day by pier-renew.timer:
# renews the Let's Encrypt certificates that are due, checks that Nginx serves them, then exits.
[Unit]
Description=pier: renew the Let's Encrypt certificates that are due
After=nginx.service

[Service]
Type=oneshot
ExecStart=${launcher} letsencrypt:renew
