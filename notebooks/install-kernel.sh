#!/usr/bin/env bash
# Installs the Java kernel that runs depthscope's notebooks, into this checkout only: Jupyter's Debian
# packages when missing (as root; else it says what to install), the kernel jar (Maven, to
# jobs/target/kernel), and a kernel spec under notebooks/.kernel/jupyter, which JUPYTER_PATH names.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PACKAGES=(jupyter-nbconvert python3-nbclient jupyter-client)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-kernel: missing Debian packages ${missing[*]}; install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The shaded jar and Spark's class path: bin/depthscope builds them when missing or stale.
"$ROOT/bin/depthscope" --version >/dev/null
# The kernel jar, as the jobs pom's `kernel` execution fetches it for the tests.
(cd "$ROOT" && mvn -B -ntp -q -pl jobs dependency:copy@kernel)

JAVA=${JAVA_HOME:+$JAVA_HOME/bin/java}
JAVA=${JAVA:-$(command -v java)}
JUPYTER_DIR="$ROOT/notebooks/.kernel/jupyter"
# Spark's module flags, from the one place the build keeps them.
read -r -a OPENS <<<"$(sed -n 's:.*<java17.opens>\(.*\)</java17.opens>.*:\1:p' "$ROOT/pom.xml")"
CLASS_PATH="$ROOT/jobs/target/depthscope.jar:$(cat "$ROOT/jobs/target/spark-classpath.txt")"
"$JAVA" -cp "$ROOT/jobs/target/depthscope.jar" io.depthscope.jobs.claims.KernelSpec "$JUPYTER_DIR" "$JAVA" \
  "$ROOT/jobs/target/kernel/rapaio-jupyter-kernel.jar" "$ROOT/notebooks/kernel" "$ROOT/conf/log4j2.properties" \
  "$CLASS_PATH" "${OPENS[@]}" >/dev/null
cat <<MSG
installed kernel 'depthscope-java' in $JUPYTER_DIR
run a notebook headless (its figures and output in the copy under /tmp/notebooks):
  JUPYTER_PATH=$JUPYTER_DIR /usr/bin/python3 -m nbconvert --to notebook --execute --output-dir /tmp/notebooks $ROOT/notebooks/quickstart.ipynb
MSG
