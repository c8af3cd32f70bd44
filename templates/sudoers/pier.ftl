# Written by pier's installer: the ${user} user may test and reload Nginx, and nothing else, as root.
Defaults:${user} !requiretty
${user} ALL=(root) NOPASSWD: ${nginx} -t, ${nginx} -t -q, ${nginx} -s reload
