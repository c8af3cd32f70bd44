# Written by pier from its keys; change it with pier ssh-keys:*, deploy:* and developer:*.
# Every key runs pier's own command, restricted: no shell, no forwarding, no agent. A pty is allowed, so
# `ssh -t pier@host enter APP` gets a terminal; the forced command is pier's all the same.
<#list keys as k>
command="${command} ssh-command --key ${k.name}",restrict,pty ${k.line} pier:${k.name}
</#list>
