#!/bin/sh
# Written by pier's installer: runs the jars it compiled at install time (no JBang, no build per command).
# The JVM flags favour start-up time: pier's commands are short-lived.
exec ${java} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -cp '${lib}/*' ${main} "$@"
