# Written by pier's installer. The ${user} user logs in by key only; each key's forced command and
# restrictions are in ~${user}/.ssh/authorized_keys, rendered by pier from its keys.
Match User ${user}
    PasswordAuthentication no
    KbdInteractiveAuthentication no
    PubkeyAuthentication yes
    AllowTcpForwarding no
    AllowStreamLocalForwarding no
    AllowAgentForwarding no
    X11Forwarding no
    PermitTunnel no
