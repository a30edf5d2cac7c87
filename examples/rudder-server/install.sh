#!/bin/sh
# Installs rudderstack-kissmetrics in the image (the Dockerfile runs it): from the tarball `npm pack`
# wrote, placed next to the Dockerfile (the default), or from a git URL of the repository. A registry
# name is refused: the package is not published, and whoever registers that name first would be installed.
set -eu
package="${1:-}"
if [ -z "$package" ]; then
  set -- ./rudderstack-kissmetrics-*.tgz
  if [ ! -f "$1" ]; then
    echo "install.sh: no rudderstack-kissmetrics-*.tgz next to the Dockerfile. In a clone of the repository run" \
      "'npm ci && npm pack' and copy the .tgz here, or build with" \
      "--build-arg PACKAGE=git+https://<host>/<owner>/rudderstack-kissmetrics.git#<tag>" >&2
    exit 1
  fi
  if [ "$#" -gt 1 ]; then
    echo "install.sh: several tarballs next to the Dockerfile ($*): keep one, or pick one with --build-arg PACKAGE=./<file>.tgz" >&2
    exit 1
  fi
  package="$1"
fi
case "$package" in
  ./*.tgz | /*.tgz)
    if [ ! -f "$package" ]; then
      echo "install.sh: $package is not next to the Dockerfile" >&2
      exit 1
    fi
    ;;
  git+https://* | git+ssh://* | git+file://* | git://*)
    # npm clones it, installs its dev dependencies and builds it (its prepare script).
    apk add --no-cache git
    ;;
  *)
    echo "install.sh: PACKAGE=$package is neither a tarball (./<file>.tgz) nor a git URL (git+https://…):" \
      "a registry name is refused, since rudderstack-kissmetrics is not published" >&2
    exit 1
    ;;
esac
npm install --global --omit=dev --no-audit --no-fund "$package"
