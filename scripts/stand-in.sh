# Sourced by scripts/test.sh and scripts/bench.sh: install (idempotently) and start the local AWS stand-in,
# moto's server answering DynamoDB and SES v2 on 127.0.0.1, stop it when the calling script exits, and
# export its address as KINDLY_MOTO_URL.
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r tests/requirements.txt
moto_port=${KINDLY_MOTO_PORT:-5055}
moto_log="${TMPDIR:-/tmp}/kindly-moto-$moto_port.log"
python3 tests/moto_serial.py "$moto_port" >"$moto_log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
export KINDLY_MOTO_URL="http://127.0.0.1:$moto_port"
answers() { python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$KINDLY_MOTO_URL/moto-api/" 2>/dev/null; }
for _ in $(seq 100); do
  answers && break
  kill -0 "$moto_pid" 2>/dev/null || { cat "$moto_log"; echo "the AWS stand-in did not start" >&2; exit 1; }
  sleep 0.2
done
answers || { echo "the AWS stand-in did not answer" >&2; exit 1; }
