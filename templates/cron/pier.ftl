# pier's host schedule, written by pier's installer from templates/cron/pier.ftl (your own copy in
# /etc/pier/templates/cron/pier.ftl wins). Once at boot: start Docker, Nginx and sshd when the init system
# did not, then reconcile every app (output in ${log}). Every minute: start the apps' app.json cron entries
# that are due (output in ${tickLog}). Every day at 04:17: renew the Let's Encrypt certificates that are due
# (output in ${renewLog}); at 04:47, on a cluster's manager, free the disk of the images pier removed from the
# cluster's registry (output in ${gcLog}; elsewhere it says there is no cluster). No pier process stays resident.
SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
@reboot root ${launcher} install --boot >>${log} 2>&1
* * * * * root ${launcher} cron:tick >>${tickLog} 2>&1
17 4 * * * root ${launcher} letsencrypt:renew >>${renewLog} 2>&1
47 4 * * * root ${launcher} registry:gc >>${gcLog} 2>&1
