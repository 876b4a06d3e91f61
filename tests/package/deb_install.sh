#!/usr/bin/env bash
# The .deb on a clean Debian 12: CPack builds the packages from BUILD_DIR, `apt-get install
# ./thunderdome_*.deb` in a minimal bookworm root (a minbase bootstrap, nothing else
# installed) must pull every dependency from Debian's archive by its declared names, and the
# installed `thunderdome` must run the seed job from /usr/share/thunderdome/examples, alone and
# under the packaged Open MPI's mpirun (2 ranks, same answer); python3-thunderdome, when built,
# installs beside it and reads the CLI's model. The root is made by mmdebstrap
# (about twice as fast: parallel downloads) or, without it, by debootstrap.
#
# Usage: deb_install.sh CPACK BUILD_DIR   (root)
# The minbase root is made once and cached in $TD_TEST_ROOT_CACHE (default
# /var/cache/thunderdome-test-root/bookworm); each run works on an overlay (or a copy) of it, so
# the cache stays clean. Downloaded .debs are kept in $TD_TEST_ROOT_CACHE.apt (apt's archive).
# The mirror is the first Debian URI in /etc/apt/sources.list* (default deb.debian.org).
# Exit 77 (ctest SKIP_RETURN_CODE): not root, no mmdebstrap/debootstrap or chroot, or Debian's
# archive is not reachable (the message says which).
set -euo pipefail
cpack=$1 build=$2

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot, mount)"
if command -v mmdebstrap >/dev/null 2>&1; then bootstrap=(mmdebstrap --variant=minbase --mode=root)
elif command -v debootstrap >/dev/null 2>&1; then bootstrap=(debootstrap --variant=minbase)
else skip "neither mmdebstrap nor debootstrap is installed (scripts/install-deps.sh installs them)"
fi
command -v chroot >/dev/null 2>&1 || skip "chroot is not available"

cache=${TD_TEST_ROOT_CACHE:-/var/cache/thunderdome-test-root/bookworm}
mirror=$(grep -hoE '^(URIs:|deb) +https?://[^ ]*debian[^ ]*' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
         awk '{print $2}' | grep -v -- '-security' | head -n 1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
security=${mirror%/debian}/debian-security

work=$(mktemp -d "${TMPDIR:-/tmp}/td-deb-install.XXXXXX")
root=$work/root
mounts=()
cleanup() {
  local rc=$?
  set +e
  for ((i=${#mounts[@]}-1; i>=0; i--)); do umount -l "${mounts[$i]}" 2>/dev/null; done
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the cached minbase root (made once; concurrent runs wait on the lock)
mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if [ ! -x "$cache/usr/bin/apt-get" ]; then
  rm -rf "$cache.tmp"
  echo "creating the Debian 12 minbase root in $cache from $mirror with ${bootstrap[0]} (once)"
  t0=$(date +%s)
  if ! "${bootstrap[@]}" bookworm "$cache.tmp" "$mirror" > "$work/debootstrap.log" 2>&1; then
    tail -n 5 "$work/debootstrap.log"
    rm -rf "$cache.tmp"
    if grep -qiE 'Failed getting release file|Failed to fetch|Couldn.t download|Temporary failure|could not resolve|Connection refused|Network is unreachable|apt-get update failed' "$work/debootstrap.log"; then
      skip "Debian's archive ($mirror) is not reachable"
    fi
    echo "${bootstrap[0]} failed"; exit 1
  fi
  mv "$cache.tmp" "$cache"
  echo "root made in $(( $(date +%s) - t0 )) s"
fi
flock -u 9

# ---- this run's root: an overlay on the cache (a copy where overlays are refused)
mkdir -p "$root" "$work/upper" "$work/ovl-work" "$cache.apt"
if mount -t overlay overlay -o "lowerdir=$cache,upperdir=$work/upper,workdir=$work/ovl-work" "$root" 2>/dev/null; then
  mounts+=("$root")
else
  cp -a "$cache/." "$root/"
fi
for d in proc dev; do mount --bind "/$d" "$root/$d"; mounts+=("$root/$d"); done
mkdir -p "$root/var/cache/apt/archives"
mount --bind "$cache.apt" "$root/var/cache/apt/archives"; mounts+=("$root/var/cache/apt/archives")
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
cat > "$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
EOF
# The host's proxy settings for apt, if any (the archive may only be reachable through one).
for f in /etc/apt/apt.conf.d/*proxy* /etc/apt/apt.conf.d/99artifact-registry; do
  [ -f "$f" ] && cp "$f" "$root/etc/apt/apt.conf.d/"
done
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
  LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive ${http_proxy:+http_proxy=$http_proxy} \
  ${https_proxy:+https_proxy=$https_proxy} "$@"; }

# ---- the packages, from this build tree
"$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" > "$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; echo "cpack failed"; exit 1; }
deb=$(ls "$work"/pkg/thunderdome_*.deb)
echo "package: $(basename "$deb"): Depends: $(dpkg-deb -f "$deb" Depends)"
cp "$deb" "$root/tmp/"

# ---- install it: apt resolves the Depends from Debian's archive
t0=$(date +%s)
if ! in_root apt-get update -q > "$work/apt.log" 2>&1; then
  tail -n 5 "$work/apt.log"
  skip "apt-get update in the Debian 12 root failed: Debian's archive ($mirror) is not reachable"
fi
in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")" >> "$work/apt.log" 2>&1 ||
  { tail -n 30 "$work/apt.log"; echo "apt-get install of the .deb failed"; exit 1; }
echo "installed with its dependencies in $(( $(date +%s) - t0 )) s:" \
  "$(grep -c '^Setting up' "$work/apt.log") packages set up"
# shellcheck disable=SC2016  # dpkg's ${Status}, not the shell's
in_root dpkg-query -W -f='${Status}\n' thunderdome | grep -q "install ok installed"
if in_root ldd /usr/bin/thunderdome | grep "not found"; then
  echo "the installed thunderdome misses shared libraries"; exit 1
fi

# ---- the seed job, from what the package installed
ex=/usr/share/thunderdome/examples
fit=(thunderdome fit --spec "$ex/cross_validation.json" --train "$ex/data/spark_guide_train.csv"
     --test "$ex/data/spark_guide_test.csv" --json -q)
in_root "${fit[@]}" --out /tmp/model-one > "$work/one.json" ||
  { echo "the seed job failed in the clean root"; exit 1; }
in_root thunderdome show --model /tmp/model-one | grep -q "<- best" ||
  { echo "thunderdome show cannot read the model"; exit 1; }
in_root env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
  mpirun --allow-run-as-root --oversubscribe -np 2 --mca btl self,vader,tcp \
  "${fit[@]}" --out /tmp/model-mpi > "$work/mpi.json" 2> "$work/mpi.err" ||
  { cat "$work/mpi.err"; echo "the seed job under the packaged mpirun failed"; exit 1; }
/usr/bin/python3 - "$work/one.json" "$work/mpi.json" <<'PY'
import json, sys
one, mpi = (json.load(open(p)) for p in sys.argv[1:])
for k in ("avgMetrics", "bestIndex", "testMetric"):
    assert one[k] == mpi[k], (k, one[k], mpi[k])
assert one["testMetric"] == 1.0, one["testMetric"]   # the Spark guide's answer: all 4 right
print("seed job in the clean root: bestIndex %d, test %s %.3f; the same under mpirun -np 2"
      % (one["bestIndex"], one["testMetricName"], one["testMetric"]))
PY
# ---- the Python module's package (python3-thunderdome, when the build has the module): apt
# pulls python3 and numpy; the CLI's model loads in Python and predicts the test rows right.
pydeb=$(ls "$work"/pkg/python3-thunderdome_*.deb 2>/dev/null || true)
if [ -n "$pydeb" ]; then
  cp "$pydeb" "$root/tmp/"
  in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$pydeb")" \
    >> "$work/apt.log" 2>&1 ||
    { tail -n 30 "$work/apt.log"; echo "apt-get install of the Python package failed"; exit 1; }
  in_root python3 - > "$work/py.txt" 2>&1 <<'PY' ||
from thunderdome.ml.tuning import CrossValidatorModel
from thunderdome.sql import SparkSession
spark = SparkSession.builder.appName("deb_install").getOrCreate()
test = spark.read.csv("/usr/share/thunderdome/examples/data/spark_guide_test.csv", header=True,
                      inferSchema=True)
rows = CrossValidatorModel.load("/tmp/model-one").transform(test).select("label", "prediction").collect()
assert len(rows) == 4 and all(r.label == r.prediction for r in rows), rows
print("python3-thunderdome in the clean root: the CLI's model predicts the 4 test rows right")
PY
    { cat "$work/py.txt"; echo "the Python module failed in the clean root"; exit 1; }
  cat "$work/py.txt"
fi
echo "deb install test passed"
