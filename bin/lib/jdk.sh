# Sourced by the bin/ scripts: sets JAVA_HOME to a JDK >= 21 (JAVA_HOME if it qualifies, else the
# newest under /usr/lib/jvm), or exits with a message saying what to install.

fm_java_major() { # prints the major version of the JDK at $1, or nothing
  local home="$1" version=""
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
  fi
  if [ -z "$version" ]; then
    version=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -1)
  fi
  version="${version#1.}"
  echo "${version%%[.+-]*}"
}

fm_find_jdk() {
  local major
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(fm_java_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then return 0; fi
  fi
  local best="" best_major=0 dir
  for dir in /usr/lib/jvm/*/; do
    dir="${dir%/}"
    [ -L "$dir" ] && continue
    major=$(fm_java_major "$dir")
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best="$dir" best_major="$major"
    fi
  done
  if [ -z "$best" ]; then
    echo "followermaze: no JDK 21 or newer found (JAVA_HOME=${JAVA_HOME:-unset}, /usr/lib/jvm)." >&2
    echo "Install one (e.g. Temurin 21 or 25) or point JAVA_HOME at it." >&2
    exit 2
  fi
  export JAVA_HOME="$best"
}

fm_find_jdk
export PATH="$JAVA_HOME/bin:$PATH"
# Maven's own libraries touch sun.misc.Unsafe, which JDK 24+ warns about; allow it quietly there
# (the flag does not exist before 23, which is why it is not in .mvn/jvm.config).
if [ "$(fm_java_major "$JAVA_HOME")" -ge 24 ]; then
  case "${MAVEN_OPTS:-}" in *sun-misc-unsafe-memory-access*) ;; *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;; esac
fi
