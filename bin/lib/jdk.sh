# Sourced by bin/pilotlight and bin/test: finds a JDK 25+ (JAVA_HOME first, then /usr/lib/jvm/*25*,
# then any JDK under /usr/lib/jvm) and exports JAVA_HOME, or explains what to install.
pilotlight_find_jdk() {
  local candidates=() home v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for home in /usr/lib/jvm/*25* /usr/lib/jvm/*; do [ -d "$home" ] && candidates+=("$home"); done
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then
      echo "$home"
      return 0
    fi
  done
  return 1
}

if ! PILOTLIGHT_JDK="$(pilotlight_find_jdk)"; then
  echo "pilotlight: needs a JDK 25 or newer. Set JAVA_HOME to one, or install one (e.g. Temurin 25, which lives at /usr/lib/jvm/temurin-25-jdk-amd64)." >&2
  exit 3
fi
export JAVA_HOME="$PILOTLIGHT_JDK"
