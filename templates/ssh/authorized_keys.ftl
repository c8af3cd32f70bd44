# Written by pier from its keys; change it with pier ssh-keys:add and pier ssh-keys:remove.
# Every key runs pier's own command, restricted: no shell, no forwarding, no agent, no pty.
<#list keys as k>
command="${command} ssh-command --key ${k.name}",restrict ${k.line} pier:${k.name}
</#list>
