<#-- pier's Docker daemon settings, merged into /etc/docker/daemon.json by the installer: keys the file
     lacks are added, its own values win. Your own copy in /etc/pier/templates/docker/daemon.json.ftl wins.
     live-restore: containers keep running while dockerd stops, restarts or is upgraded.
     log-driver/log-opts: each container's log rotates at 10 MB, 3 files kept. -->
{
  "live-restore": true,
  "log-driver": "json-file",
  "log-opts": {
    "max-size": "10m",
    "max-file": "3"
  }
}
