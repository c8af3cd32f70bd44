# pier's daily garbage collection of the cluster's registry, written by pier's installer from
# templates/systemd/pier-registry-gc.service.ftl (your own copy in /etc/pier/templates/systemd/ wins). Started each
# day by pier-registry-gc.timer: frees the layers of the images pier removed from the registry (the registry stops
# meanwhile, when there is anything to free), then exits. On a host that manages no cluster it says so and exits.
[Unit]
Description=pier: free the disk of the images removed from the cluster's registry
After=docker.service

[Service]
Type=oneshot
ExecStart=${launcher} registry:gc
