# Written by pier from its keys; change it with pier ssh-keys:*, deploy:* and developer:*.
# Every key runs pier's own command, restricted: no shell, no forwarding, no agent. Keys that may run
# `enter` (admin and developer keys) get a pty too, so `ssh -t pier@host enter APP` has a terminal; the
# forced command is pier's all the same. Deploy keys never need one.
<#list keys as k>
command="${command} ssh-command --key ${k.name}",restrict<#if k.pty>,pty</#if> ${k.line} pier:${k.name}
</#list>
