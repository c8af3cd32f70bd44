# pier's boot hook, written by pier's installer from templates/cron/pier.ftl (your own copy in
# /etc/pier/templates/cron/pier.ftl wins). Once at boot: start Docker, Nginx and sshd when the init system
# did not, then reconcile every app. Its output goes to ${log}.
SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
@reboot root ${launcher} install --boot >>${log} 2>&1
