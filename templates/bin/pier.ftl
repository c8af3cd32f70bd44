#!/bin/sh
# Written by pier's installer: runs the jars it compiled at install time (no JBang, no build per command).
exec ${java} ${options} -cp '${lib}/*' ${main} "$@"
